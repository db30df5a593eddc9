;;; rivet-test-lib.el --- What rivet's batch Emacs tests share  -*- lexical-binding: t; -*-

;;; Commentary:

;; Loaded by rivet-test.el (eglot) and rivet-lsp-test.el (lsp-mode):
;; counting and printing checks, waiting while processing events, the
;; scenario of editors/test/scenario.json, a stand-in for rust-mode, and
;; the run that prints "N passed, N failed, N skipped" and exits 0 when
;; nothing failed, 1 when a check failed, 2 when the test could not run.

;;; Code:

(require 'cl-lib)
(require 'json)

(defconst rivet-test-repo
  (expand-file-name "../../.." (file-name-directory (or load-file-name buffer-file-name)))
  "The repository holding the tests.")

(add-to-list 'load-path (expand-file-name "editors/emacs" rivet-test-repo))

(defvar rivet-test-counts (list 0 0 0) "Passed, failed and skipped checks.")

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

(defun rivet-test-marked-lines (marker)
  "Return the sorted 1-based lines of the current buffer containing MARKER."
  (save-excursion
    (goto-char (point-min))
    (let (lines)
      (while (search-forward marker nil t)
        (push (line-number-at-pos) lines))
      (nreverse lines))))

(defun rivet-test-plist (value)
  "Return VALUE, a JSON object read as an alist, as a plist."
  (if (and (consp value) (consp (car value)) (symbolp (caar value)))
      (cl-loop for (k . v) in value
               append (list (intern (format ":%s" k)) (rivet-test-plist v)))
    value))

(defvar rivet-test-scenario nil "The scenario, as an alist.")
(defvar rivet-test-root nil "The fixture tree, a true name.")
(defvar rivet-test-timeout nil "Seconds to wait for each answer.")

(defun rivet-test-get (&rest keys)
  "Return the scenario value under KEYS."
  (let ((v rivet-test-scenario))
    (dolist (k keys v) (setq v (alist-get k v)))))

(defvar rivet-program)
(defvar rivet-program-args)
(defvar rivet-major-modes)

(defun rivet-test-load-scenario ()
  "Read the scenario, and run the rivet of RIVET_BIN, logging to RIVET_LOG."
  (setq rivet-test-scenario (json-read-file (expand-file-name "editors/test/scenario.json" rivet-test-repo))
        rivet-test-root (file-truename (expand-file-name (rivet-test-get 'root) rivet-test-repo))
        rivet-test-timeout (rivet-test-get 'timeout_seconds))
  (setq rivet-program (or (getenv "RIVET_BIN") "rivet"))
  (when-let ((log (getenv "RIVET_LOG")))
    (setq rivet-program-args (list "serve" "--log" log "--log-level" "debug"))))

(defun rivet-test-stand-in-rust-mode ()
  "Define `rivet-test-rust-mode' for .rs files when rust-mode is missing.
rust-mode is not part of Emacs 28.  Returns the mode Rust files get."
  (if (fboundp 'rust-mode)
      'rust-mode
    (define-derived-mode rivet-test-rust-mode prog-mode "Rust"
      "Stand-in for rust-mode in rivet's tests.")
    (add-to-list 'auto-mode-alist '("\\.rs\\'" . rivet-test-rust-mode))
    (push '(rivet-test-rust-mode :language-id "rust") rivet-major-modes)
    'rivet-test-rust-mode))

(defun rivet-test-main (label run)
  "Call RUN, which returns the exit status; print LABEL's counts and exit."
  (let ((status (condition-case err
                    (funcall run)
                  (error (rivet-test-say "ERROR %s" (error-message-string err)) 2))))
    (rivet-test-say "%s: %d passed, %d failed, %d skipped"
                    label (nth 0 rivet-test-counts) (nth 1 rivet-test-counts) (nth 2 rivet-test-counts))
    (kill-emacs status)))

(provide 'rivet-test-lib)

;;; rivet-test-lib.el ends here
