;;; rivet-lsp-test.el --- Batch test of rivet through lsp-mode  -*- lexical-binding: t; -*-

;;; Commentary:

;; RIVET_BIN=/path/to/rivet emacs --batch -l editors/emacs/test/rivet-lsp-test.el
;;
;; Loads Debian's lsp-mode (elpa-lsp-mode 8.0) and editors/emacs/rivet.el
;; and checks what rivet.el registered: the client in `lsp-clients' (an
;; add-on, its activation in C, C++ and Rust buffers and not elsewhere,
;; its command, handlers and settings), the language ids, the root
;; lsp-mode suggests and the customization group.  Then starts rivet
;; through lsp-mode for real on editors/test/scenario.json's fixture and
;; waits for rivet/status "ready" and the scenario's diagnostics (whose
;; severity comes from `rivet-lsp-settings').  Prints one line per check
;; and "N passed, N failed, N skipped"; exits 0 when nothing failed, 1
;; when a check failed, 2 when the test itself could not run.
;; RIVET_LOG names a file for the server's debug log.

;;; Code:

(require 'package)
(package-initialize)            ; Debian's elpa-lsp-mode lives in the system elpa
(add-to-list 'load-path (file-name-directory (or load-file-name buffer-file-name)))
(require 'rivet-test-lib)

;; lsp-mode first, then rivet: its registration runs from
;; `with-eval-after-load' either way; this is the order of a user who
;; requires rivet in init.el after lsp-mode's autoloads ran.
(require 'lsp-mode)
(require 'lsp-diagnostics)
(require 'rivet)

;; rust-mode is not part of Emacs 28: a stand-in, with the language id a
;; user would give it.
(defconst rivet-lsp-test-rust-mode (rivet-test-stand-in-rust-mode)
  "The mode of Rust files in this test.")
(add-to-list 'lsp-language-id-configuration (cons rivet-lsp-test-rust-mode "rust"))

(defun rivet-lsp-test-activates (client file mode)
  "Return whether CLIENT's activation function accepts FILE in MODE."
  (with-temp-buffer
    (setq buffer-file-name (expand-file-name file rivet-test-root))
    (funcall mode)
    (prog1 (funcall (lsp--client-activation-fn client) buffer-file-name major-mode)
      (setq buffer-file-name nil))))

(defun rivet-lsp-test-diagnostic-lines (file code severity)
  "Return the sorted 1-based lines of lsp-mode's diagnostics of FILE with CODE.
Only those of LSP SEVERITY (a number) count."
  (let ((diags (gethash (lsp--fix-path-casing file) (lsp-diagnostics t))))
    (sort (delete-dups
           (cl-loop for d in diags
                    when (and (equal (lsp:diagnostic-code? d) code)
                              (equal (lsp:diagnostic-severity? d) severity))
                    collect (1+ (lsp:position-line (lsp:range-start (lsp:diagnostic-range d))))))
          #'<)))

(defun rivet-lsp-test-registration ()
  "Check what rivet.el registered with lsp-mode."
  (let ((client (gethash 'rivet lsp-clients)))
    (unless (rivet-test-check "lsp-clients has rivet" client "not registered")
      (cl-return-from rivet-lsp-test-registration))
    (rivet-test-check "rivet is an add-on (beside clangd, rust-analyzer) of priority -1"
                          (and (lsp--client-add-on? client) (eql (lsp--client-priority client) -1))
                          (list (lsp--client-add-on? client) (lsp--client-priority client)))
    (rivet-test-check "activates in c-mode (.c), c-mode (.h), c++-mode and Rust"
                          (and (rivet-lsp-test-activates client "drivers/clk/clk.c" #'c-mode)
                               (rivet-lsp-test-activates client (rivet-test-get 'header) #'c-mode)
                               (rivet-lsp-test-activates client (rivet-test-get 'header) #'c++-mode)
                               (rivet-lsp-test-activates client (rivet-test-get 'file)
                                                         rivet-lsp-test-rust-mode))
                          "not activated")
    (rivet-test-check "does not activate in emacs-lisp-mode"
                          (not (let ((inhibit-message t))
                                 (rivet-lsp-test-activates client "x.el" #'emacs-lisp-mode)))
                          "activated")
    (rivet-test-check "language ids of c-ts-mode, c++-ts-mode, rust-ts-mode"
                          (equal (mapcar (lambda (m) (cdr (assq m lsp-language-id-configuration)))
                                         '(c-ts-mode c++-ts-mode rust-ts-mode c-mode c++-mode rust-mode))
                                 '("c" "cpp" "rust" "c" "cpp" "rust"))
                          (mapcar (lambda (m) (assq m lsp-language-id-configuration))
                                  '(c-ts-mode c++-ts-mode rust-ts-mode c-mode c++-mode rust-mode)))
    (let ((conn (lsp--client-new-connection client)))
      (rivet-test-check "its command is rivet-program with rivet-program-args, and is found"
                            (and (funcall (plist-get conn :test?))
                                 (equal (lsp-resolve-final-function
                                         (lambda () (cons rivet-program rivet-program-args)))
                                        (cons rivet-program rivet-program-args)))
                            (list rivet-program (funcall (plist-get conn :test?)))))
    (rivet-test-check "rivet/status notifications are handled"
                          (functionp (gethash "rivet/status" (lsp--client-notification-handlers client)))
                          "no handler")
    (let* ((handler (gethash "workspace/configuration" (lsp--client-request-handlers client)))
           (answer (and handler
                        (funcall handler nil (lsp-make-configuration-params
                                              :items (vector (lsp-make-configuration-item :section "rivet")
                                                             (lsp-make-configuration-item :section "other")))))))
      (rivet-test-check "workspace/configuration answers rivet-lsp-settings for \"rivet\", null otherwise"
                            (equal answer (vector rivet-lsp-settings nil))
                            (format "%S" answer)))
    (rivet-test-check "initializationOptions are rivet-lsp-settings"
                          (equal (lsp--create-initialization-options nil client) rivet-lsp-settings)
                          (lsp--create-initialization-options nil client))))

(defun rivet-lsp-test-custom ()
  "Check the customization group and `rivet-customize'."
  (let ((members (mapcar #'car (get 'rivet 'custom-group))))
    (rivet-test-check "customization group rivet has the options"
                          (cl-every (lambda (v) (memq v members))
                                    '(rivet-program rivet-program-args rivet-major-modes
                                                    rivet-project-markers rivet-lsp-settings))
                          members)
    (rivet-test-check "rivet-customize is a command" (commandp 'rivet-customize) "not a command")))

(cl-defun rivet-lsp-test-run ()
  "Run the checks; return the exit status."
  (rivet-test-load-scenario)
  (setq rivet-lsp-settings (rivet-test-plist (rivet-test-get 'settings)))
  (rivet-lsp-test-registration)
  (rivet-lsp-test-custom)
  ;; Starting for real: the root lsp-mode suggests, taken without asking.
  (setq lsp-auto-guess-root t
        lsp-session-file (expand-file-name "session" (make-temp-file "rivet-lsp" t))
        lsp-enable-snippet nil
        lsp-enable-file-watchers nil
        lsp-modeline-code-actions-enable nil
        lsp-headerline-breadcrumb-enable nil
        lsp-keep-workspace-alive nil
        lsp-restart 'ignore)
  (let* ((file (expand-file-name (rivet-test-get 'file) rivet-test-root))
         (timeout (rivet-test-get 'timeout_seconds)))
    (switch-to-buffer (find-file-noselect file))
    (rivet-test-check (format "lsp-mode suggests %s as the root" (rivet-test-get 'root))
                          (equal (file-name-as-directory (file-truename (lsp--suggest-project-root)))
                                 (file-name-as-directory rivet-test-root))
                          (lsp--suggest-project-root))
    (lsp)
    (let ((workspace (rivet-test-wait
                      timeout
                      (lambda ()
                        (cl-find-if (lambda (w) (and (eq (lsp--client-server-id (lsp--workspace-client w)) 'rivet)
                                                     (eq (lsp--workspace-status w) 'initialized)))
                                    (lsp-workspaces))))))
      (unless (rivet-test-check (format "lsp-mode starts rivet for %s" (rivet-test-get 'file))
                                    workspace (format "workspaces: %S" (lsp-workspaces)))
        (cl-return-from rivet-lsp-test-run 1))
      (rivet-test-check "its root is the fixture tree"
                            (equal (file-name-as-directory (file-truename (lsp--workspace-root workspace)))
                                   (file-name-as-directory rivet-test-root))
                            (lsp--workspace-root workspace))
      (rivet-test-check "rivet/status reached \"ready\""
                            (rivet-test-wait timeout (lambda () (member rivet-lsp-status '("ready" "idle"))))
                            (format "last status: %s" rivet-lsp-status))
      (let* ((want (rivet-test-marked-lines (rivet-test-get 'diagnostics 'marker)))
             (code (rivet-test-get 'diagnostics 'code))
             (severity (rivet-test-get 'diagnostics 'severity))
             (num (pcase severity ("error" 1) ("warning" 2) ("info" 3) (_ 4)))
             got)
        (rivet-test-wait timeout (lambda ()
                                       (setq got (rivet-lsp-test-diagnostic-lines file code num))
                                       (equal got want)))
        (rivet-test-check (format "diagnostics with code %s, severity %s (from rivet-lsp-settings), on lines %s"
                                      code severity want)
                              (and want (equal got want))
                              (format "got lines %s" got)))
      (lsp-workspace-shutdown workspace)))
  (if (zerop (nth 1 rivet-test-counts)) 0 1))

(rivet-test-main "emacs lsp-mode" #'rivet-lsp-test-run)

;;; rivet-lsp-test.el ends here
