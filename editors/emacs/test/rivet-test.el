;;; rivet-test.el --- Batch test of rivet through Eglot  -*- lexical-binding: t; -*-

;;; Commentary:

;; RIVET_BIN=/path/to/rivet emacs --batch -l editors/emacs/test/rivet-test.el
;;
;; Drives editors/test/scenario.json through editors/emacs/rivet.el and
;; Eglot: opens the fixture, waits for rivet's diagnostics in Flymake,
;; asks for hover through ElDoc and for the definition through Xref.
;; Prints one line per check and "N passed, N failed, N skipped"; exits
;; 0 when nothing failed, 1 when a check failed, 2 when the test itself
;; could not run.  RIVET_LOG names a file for the server's debug log.

;;; Code:

(require 'package)
(package-initialize)            ; Debian's elpa-eglot lives in the system elpa
(require 'cl-lib)
(require 'json)

(defconst rivet-test-repo
  (expand-file-name "../../.." (file-name-directory (or load-file-name buffer-file-name)))
  "The repository holding this test.")

(add-to-list 'load-path (expand-file-name "editors/emacs" rivet-test-repo))
(require 'rivet)
(require 'flymake)
(require 'xref)

(defvar rivet-test-counts (list 0 0 0) "Passed, failed and skipped checks.")

(defvar rivet-test-status nil "The state of the last rivet/status notification.")

(cl-defmethod eglot-handle-notification
  (_server (_method (eql rivet/status)) &key state &allow-other-keys)
  "Record rivet's indexing STATE."
  (setq rivet-test-status state))

;; rust-mode is not part of Emacs 28: stand in for it.
(unless (fboundp 'rust-mode)
  (define-derived-mode rivet-test-rust-mode prog-mode "Rust"
    "Stand-in for rust-mode in the rivet test.")
  (add-to-list 'auto-mode-alist '("\\.rs\\'" . rivet-test-rust-mode))
  (push '(rivet-test-rust-mode :language-id "rust") rivet-major-modes))

(defun rivet-test-say (fmt &rest args)
  "Print FMT with ARGS on a line of standard output."
  (princ (concat (apply #'format fmt args) "\n")))

(defun rivet-test-check (name ok &optional detail)
  "Count check NAME as passed when OK, else as failed with DETAIL."
  (if ok
      (progn (cl-incf (nth 0 rivet-test-counts)) (rivet-test-say "ok   %s" name))
    (cl-incf (nth 1 rivet-test-counts))
    (rivet-test-say "FAIL %s: %s" name detail))
  ok)

(defun rivet-test-skip (name why)
  "Count check NAME as skipped because of WHY."
  (cl-incf (nth 2 rivet-test-counts))
  (rivet-test-say "skip %s: %s" name why))

(defun rivet-test-wait (seconds pred)
  "Process events until PRED returns non-nil or SECONDS pass; return PRED's value."
  (let ((deadline (+ (float-time) seconds))
        value)
    (while (and (not (setq value (funcall pred)))
                (< (float-time) deadline))
      (accept-process-output nil 0.05))
    value))

(defun rivet-test-find-line (file text &optional name)
  "Return (LINE . COLUMN) of the first line of FILE containing TEXT.
LINE is 1-based; COLUMN is the 0-based column of NAME in it (of TEXT when
NAME is nil)."
  (with-temp-buffer
    (insert-file-contents file)
    (goto-char (point-min))
    (unless (search-forward text nil t)
      (error "No line of %s contains %S" file text))
    (beginning-of-line)
    (let ((bol (point)))
      (search-forward (or name text))
      (cons (line-number-at-pos) (- (match-beginning 0) bol)))))

(defun rivet-test-marked-lines (marker)
  "Return the sorted 1-based lines of the current buffer containing MARKER."
  (save-excursion
    (goto-char (point-min))
    (let (lines)
      (while (search-forward marker nil t)
        (push (line-number-at-pos) lines))
      (nreverse lines))))

(defun rivet-test-diagnostic-lines (source code)
  "Return the sorted 1-based lines of Flymake diagnostics with SOURCE and CODE."
  (let ((prefix (format "%s [%s]: " source code)))
    (sort (delete-dups
           (cl-loop for d in (flymake-diagnostics)
                    when (string-prefix-p prefix (flymake-diagnostic-text d))
                    collect (line-number-at-pos (flymake-diagnostic-beg d))))
          #'<)))

(defun rivet-test-hover ()
  "Return the text ElDoc gets from Eglot's hover at point, or nil."
  (let (text)
    (eglot-hover-eldoc-function (lambda (s &rest _) (setq text (or s ""))))
    (rivet-test-wait 30 (lambda () text))
    text))

(defun rivet-test-definition ()
  "Return (FILE LINE COLUMN) of the first Xref definition at point, or nil."
  (let* ((id (xref-backend-identifier-at-point 'eglot))
         (items (xref-backend-definitions 'eglot id)))
    (when items
      (let ((marker (xref-location-marker (xref-item-location (car items)))))
        (with-current-buffer (marker-buffer marker)
          (save-excursion
            (goto-char marker)
            (list (file-truename (buffer-file-name))
                  (line-number-at-pos) (current-column))))))))

(cl-defun rivet-test-run ()
  "Run the scenario; return the exit status."
  (let* ((scenario (json-read-file (expand-file-name "editors/test/scenario.json" rivet-test-repo)))
         (get (lambda (&rest keys)
                (let ((v scenario))
                  (dolist (k keys v) (setq v (alist-get k v))))))
         (root (file-truename (expand-file-name (funcall get 'root) rivet-test-repo)))
         (timeout (funcall get 'timeout_seconds))
         (log (getenv "RIVET_LOG")))
    (setq rivet-program (or (getenv "RIVET_BIN") "rivet"))
    (when log
      (setq rivet-program-args (list "serve" "--log" log "--log-level" "debug")))
    (rivet-eglot-setup)
    (switch-to-buffer (find-file-noselect (expand-file-name (funcall get 'file) root)))
    ;; What eglot-ensure does after the next command, which batch mode
    ;; never runs.
    (apply #'eglot--connect (eglot--guess-contact))
    (let ((server (rivet-test-wait timeout #'eglot-current-server)))
      (unless (rivet-test-check (format "eglot manages %s" (funcall get 'file))
                                server "no server for the buffer")
        (cl-return-from rivet-test-run 1))
      (rivet-test-check "root is the fixture tree"
                        (equal (file-name-as-directory (file-truename (project-root (eglot--project server))))
                               (file-name-as-directory root))
                        (project-root (eglot--project server)))
      (rivet-test-check "rivet/status reached \"ready\""
                        (rivet-test-wait timeout (lambda () (equal rivet-test-status "ready")))
                        (format "last status: %s" rivet-test-status))

      ;; Diagnostics: exactly the marked lines carry the scenario's code.
      (let* ((source (funcall get 'diagnostics 'source))
             (code (funcall get 'diagnostics 'code))
             (want (rivet-test-marked-lines (funcall get 'diagnostics 'marker)))
             got)
        (flymake-start)
        (rivet-test-wait timeout (lambda ()
                                   (setq got (rivet-test-diagnostic-lines source code))
                                   (equal got want)))
        (rivet-test-check (format "%s diagnostics with code %s on lines %s" source code want)
                          (and want (equal got want))
                          (format "got lines %s" got)))

      ;; Hover and definition on the symbol.
      (let ((at (rivet-test-find-line (buffer-file-name)
                                      (funcall get 'symbol 'line_containing)
                                      (funcall get 'symbol 'name)))
            (name (funcall get 'symbol 'name)))
        (goto-char (point-min))
        (forward-line (1- (car at)))
        (forward-char (cdr at))
        (if (not (eglot--server-capable :hoverProvider))
            (rivet-test-skip "hover" "the server does not announce hoverProvider")
          (let* ((text (rivet-test-hover))
                 (missing (cl-remove-if (lambda (s) (and text (string-search s text)))
                                        (append (funcall get 'hover 'contains) nil))))
            (rivet-test-check (format "hover on %s shows the C side" name)
                              (and text (not (string-empty-p text)) (null missing))
                              (format "missing %S in %S" missing text))))
        (if (not (eglot--server-capable :definitionProvider))
            (rivet-test-skip "definition" "the server does not announce definitionProvider")
          (let* ((file (file-truename (expand-file-name (funcall get 'definition 'file) root)))
                 (want (rivet-test-find-line file
                                             (funcall get 'definition 'line_containing)
                                             (funcall get 'definition 'name)))
                 (got (rivet-test-definition)))
            (rivet-test-check (format "definition of %s is %s:%d:%d" name
                                      (funcall get 'definition 'file) (car want) (1+ (cdr want)))
                              (equal got (list file (car want) (cdr want)))
                              (format "got %S" got)))))
      (eglot-shutdown server))
    (if (zerop (nth 1 rivet-test-counts)) 0 1)))

(let ((status (condition-case err
                  (rivet-test-run)
                (error (rivet-test-say "ERROR %s" (error-message-string err)) 2))))
  (rivet-test-say "emacs: %d passed, %d failed, %d skipped"
                  (nth 0 rivet-test-counts) (nth 1 rivet-test-counts) (nth 2 rivet-test-counts))
  (kill-emacs status))

;;; rivet-test.el ends here
