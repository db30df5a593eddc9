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
(require 'cl-lib)
(require 'json)

(defconst rivet-lsp-test-repo
  (expand-file-name "../../.." (file-name-directory (or load-file-name buffer-file-name)))
  "The repository holding this test.")

(add-to-list 'load-path (expand-file-name "editors/emacs" rivet-lsp-test-repo))

;; lsp-mode first, then rivet: its registration runs from
;; `with-eval-after-load' either way; this is the order of a user who
;; requires rivet in init.el after lsp-mode's autoloads ran.
(require 'lsp-mode)
(require 'lsp-diagnostics)
(require 'rivet)

(defvar rivet-lsp-test-counts (list 0 0 0) "Passed, failed and skipped checks.")

(defun rivet-lsp-test-say (fmt &rest args)
  "Print FMT with ARGS on a line of standard output."
  (princ (concat (apply #'format fmt args) "\n")))

(defun rivet-lsp-test-check (name ok &optional detail)
  "Count check NAME as passed when OK, else as failed with DETAIL."
  (if ok
      (progn (cl-incf (nth 0 rivet-lsp-test-counts)) (rivet-lsp-test-say "ok   %s" name))
    (cl-incf (nth 1 rivet-lsp-test-counts))
    (rivet-lsp-test-say "FAIL %s: %s" name detail))
  ok)

(defun rivet-lsp-test-wait (seconds pred)
  "Process events until PRED returns non-nil or SECONDS pass; return PRED's value."
  (let ((deadline (+ (float-time) seconds))
        value)
    (while (and (not (setq value (funcall pred)))
                (< (float-time) deadline))
      (accept-process-output nil 0.05))
    value))

;; rust-mode is not part of Emacs 28: stand in for it, with the language
;; id a user would give it (and in rivet's modes, for its root).
(unless (fboundp 'rust-mode)
  (define-derived-mode rivet-lsp-test-rust-mode prog-mode "Rust"
    "Stand-in for rust-mode in the rivet test.")
  (add-to-list 'auto-mode-alist '("\\.rs\\'" . rivet-lsp-test-rust-mode))
  (add-to-list 'lsp-language-id-configuration '(rivet-lsp-test-rust-mode . "rust"))
  (push '(rivet-lsp-test-rust-mode :language-id "rust") rivet-major-modes))

(defvar rivet-lsp-test-scenario nil "The scenario, as an alist.")
(defvar rivet-lsp-test-root nil "The fixture tree, a true name.")

(defun rivet-lsp-test-get (&rest keys)
  "Return the scenario value under KEYS."
  (let ((v rivet-lsp-test-scenario))
    (dolist (k keys v) (setq v (alist-get k v)))))

(defun rivet-lsp-test-plist (value)
  "Return VALUE, a JSON object read as an alist, as a plist."
  (if (and (consp value) (consp (car value)) (symbolp (caar value)))
      (cl-loop for (k . v) in value
               append (list (intern (format ":%s" k)) (rivet-lsp-test-plist v)))
    value))

(defun rivet-lsp-test-activates (client file mode)
  "Return whether CLIENT's activation function accepts FILE in MODE."
  (with-temp-buffer
    (setq buffer-file-name (expand-file-name file rivet-lsp-test-root))
    (funcall mode)
    (prog1 (funcall (lsp--client-activation-fn client) buffer-file-name major-mode)
      (setq buffer-file-name nil))))

(defun rivet-lsp-test-marked-lines (marker)
  "Return the sorted 1-based lines of the current buffer containing MARKER."
  (save-excursion
    (goto-char (point-min))
    (let (lines)
      (while (search-forward marker nil t)
        (push (line-number-at-pos) lines))
      (nreverse lines))))

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
    (unless (rivet-lsp-test-check "lsp-clients has rivet" client "not registered")
      (cl-return-from rivet-lsp-test-registration))
    (rivet-lsp-test-check "rivet is an add-on (beside clangd, rust-analyzer) of priority -1"
                          (and (lsp--client-add-on? client) (eql (lsp--client-priority client) -1))
                          (list (lsp--client-add-on? client) (lsp--client-priority client)))
    (rivet-lsp-test-check "activates in c-mode (.c), c-mode (.h), c++-mode and Rust"
                          (and (rivet-lsp-test-activates client "drivers/clk/clk.c" #'c-mode)
                               (rivet-lsp-test-activates client (rivet-lsp-test-get 'header) #'c-mode)
                               (rivet-lsp-test-activates client (rivet-lsp-test-get 'header) #'c++-mode)
                               (rivet-lsp-test-activates client (rivet-lsp-test-get 'file)
                                                         (if (fboundp 'rust-mode) #'rust-mode
                                                           #'rivet-lsp-test-rust-mode)))
                          "not activated")
    (rivet-lsp-test-check "does not activate in emacs-lisp-mode"
                          (not (let ((inhibit-message t))
                                 (rivet-lsp-test-activates client "x.el" #'emacs-lisp-mode)))
                          "activated")
    (rivet-lsp-test-check "language ids of c-ts-mode, c++-ts-mode, rust-ts-mode"
                          (equal (mapcar (lambda (m) (cdr (assq m lsp-language-id-configuration)))
                                         '(c-ts-mode c++-ts-mode rust-ts-mode c-mode c++-mode rust-mode))
                                 '("c" "cpp" "rust" "c" "cpp" "rust"))
                          (mapcar (lambda (m) (assq m lsp-language-id-configuration))
                                  '(c-ts-mode c++-ts-mode rust-ts-mode c-mode c++-mode rust-mode)))
    (let ((conn (lsp--client-new-connection client)))
      (rivet-lsp-test-check "its command is rivet-program with rivet-program-args, and is found"
                            (and (funcall (plist-get conn :test?))
                                 (equal (lsp-resolve-final-function
                                         (lambda () (cons rivet-program rivet-program-args)))
                                        (cons rivet-program rivet-program-args)))
                            (list rivet-program (funcall (plist-get conn :test?)))))
    (rivet-lsp-test-check "rivet/status notifications are handled"
                          (functionp (gethash "rivet/status" (lsp--client-notification-handlers client)))
                          "no handler")
    (let* ((handler (gethash "workspace/configuration" (lsp--client-request-handlers client)))
           (answer (and handler
                        (funcall handler nil (lsp-make-configuration-params
                                              :items (vector (lsp-make-configuration-item :section "rivet")
                                                             (lsp-make-configuration-item :section "other")))))))
      (rivet-lsp-test-check "workspace/configuration answers rivet-lsp-settings for \"rivet\", null otherwise"
                            (equal answer (vector rivet-lsp-settings nil))
                            (format "%S" answer)))
    (rivet-lsp-test-check "initializationOptions are rivet-lsp-settings"
                          (equal (lsp--create-initialization-options nil client) rivet-lsp-settings)
                          (lsp--create-initialization-options nil client))))

(defun rivet-lsp-test-custom ()
  "Check the customization group and `rivet-customize'."
  (let ((members (mapcar #'car (get 'rivet 'custom-group))))
    (rivet-lsp-test-check "customization group rivet has the options"
                          (cl-every (lambda (v) (memq v members))
                                    '(rivet-program rivet-program-args rivet-major-modes
                                                    rivet-project-markers rivet-lsp-settings))
                          members)
    (rivet-lsp-test-check "rivet-customize is a command" (commandp 'rivet-customize) "not a command")))

(cl-defun rivet-lsp-test-run ()
  "Run the checks; return the exit status."
  (setq rivet-lsp-test-scenario (json-read-file (expand-file-name "editors/test/scenario.json" rivet-lsp-test-repo))
        rivet-lsp-test-root (file-truename (expand-file-name (rivet-lsp-test-get 'root) rivet-lsp-test-repo)))
  (setq rivet-program (or (getenv "RIVET_BIN") "rivet"))
  (when-let ((log (getenv "RIVET_LOG")))
    (setq rivet-program-args (list "serve" "--log" log "--log-level" "debug")))
  (setq rivet-lsp-settings (rivet-lsp-test-plist (rivet-lsp-test-get 'settings)))
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
  (let* ((file (expand-file-name (rivet-lsp-test-get 'file) rivet-lsp-test-root))
         (timeout (rivet-lsp-test-get 'timeout_seconds)))
    (switch-to-buffer (find-file-noselect file))
    (rivet-lsp-test-check (format "lsp-mode suggests %s as the root" (rivet-lsp-test-get 'root))
                          (equal (file-name-as-directory (file-truename (lsp--suggest-project-root)))
                                 (file-name-as-directory rivet-lsp-test-root))
                          (lsp--suggest-project-root))
    (lsp)
    (let ((workspace (rivet-lsp-test-wait
                      timeout
                      (lambda ()
                        (cl-find-if (lambda (w) (and (eq (lsp--client-server-id (lsp--workspace-client w)) 'rivet)
                                                     (eq (lsp--workspace-status w) 'initialized)))
                                    (lsp-workspaces))))))
      (unless (rivet-lsp-test-check (format "lsp-mode starts rivet for %s" (rivet-lsp-test-get 'file))
                                    workspace (format "workspaces: %S" (lsp-workspaces)))
        (cl-return-from rivet-lsp-test-run 1))
      (rivet-lsp-test-check "its root is the fixture tree"
                            (equal (file-name-as-directory (file-truename (lsp--workspace-root workspace)))
                                   (file-name-as-directory rivet-lsp-test-root))
                            (lsp--workspace-root workspace))
      (rivet-lsp-test-check "rivet/status reached \"ready\""
                            (rivet-lsp-test-wait timeout (lambda () (member rivet-lsp-status '("ready" "idle"))))
                            (format "last status: %s" rivet-lsp-status))
      (let* ((want (rivet-lsp-test-marked-lines (rivet-lsp-test-get 'diagnostics 'marker)))
             (code (rivet-lsp-test-get 'diagnostics 'code))
             (severity (rivet-lsp-test-get 'diagnostics 'severity))
             (num (pcase severity ("error" 1) ("warning" 2) ("info" 3) (_ 4)))
             got)
        (rivet-lsp-test-wait timeout (lambda ()
                                       (setq got (rivet-lsp-test-diagnostic-lines file code num))
                                       (equal got want)))
        (rivet-lsp-test-check (format "diagnostics with code %s, severity %s (from rivet-lsp-settings), on lines %s"
                                      code severity want)
                              (and want (equal got want))
                              (format "got lines %s" got)))
      (lsp-workspace-shutdown workspace)))
  (if (zerop (nth 1 rivet-lsp-test-counts)) 0 1))

(let ((status (condition-case err
                  (rivet-lsp-test-run)
                (error (rivet-lsp-test-say "ERROR %s" (error-message-string err)) 2))))
  (rivet-lsp-test-say "emacs lsp-mode: %d passed, %d failed, %d skipped"
                      (nth 0 rivet-lsp-test-counts) (nth 1 rivet-lsp-test-counts) (nth 2 rivet-lsp-test-counts))
  (kill-emacs status))

;;; rivet-lsp-test.el ends here
