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
(add-to-list 'load-path (file-name-directory (or load-file-name buffer-file-name)))
(require 'rivet-test-lib)
(require 'rivet)
(require 'eglot)                        ; rivet.el loads it in rivet-eglot-setup
(require 'flymake)
(require 'xref)

(defvar rivet-test-status nil "The state of the last rivet/status notification.")

(cl-defmethod eglot-handle-notification
  (_server (_method (eql rivet/status)) &key state &allow-other-keys)
  "Record rivet's indexing STATE."
  (setq rivet-test-status state))

(rivet-test-stand-in-rust-mode)


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

(defun rivet-test-diagnostic-lines (source code type)
  "Return the sorted 1-based lines of Flymake diagnostics with SOURCE and CODE.
Only those of Flymake TYPE count."
  (let ((prefix (format "%s [%s]: " source code)))
    (sort (delete-dups
           (cl-loop for d in (flymake-diagnostics)
                    when (and (string-prefix-p prefix (flymake-diagnostic-text d))
                              (eq (flymake-diagnostic-type d) type))
                    collect (line-number-at-pos (flymake-diagnostic-beg d))))
          #'<)))

(defun rivet-test-flymake-type (severity)
  "Return the Flymake type Eglot gives an LSP SEVERITY name."
  (pcase severity
    ("error" 'eglot-error)
    ("warning" 'eglot-warning)
    (_ 'eglot-note)))

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

;;; The steps, in the order they run.


(defun rivet-test-idle ()
  "Run the idle timers, as the command loop does when the user pauses.
Batch Emacs is never idle, and Eglot sends didChange from an idle timer."
  (dolist (timer (copy-sequence timer-idle-list))
    (timer-event-handler timer)))

(defun rivet-test-wait-diagnostics (name want &optional idle)
  "Wait until the scenario's diagnostics are on lines WANT; check it as NAME.
With IDLE, run the idle timers while waiting."
  (let* ((source (rivet-test-get 'diagnostics 'source))
         (code (rivet-test-get 'diagnostics 'code))
         (severity (rivet-test-get 'diagnostics 'severity))
         (type (rivet-test-flymake-type severity))
         got)
    (rivet-test-wait rivet-test-timeout
                     (lambda ()
                       (when idle (rivet-test-idle))
                       (setq got (rivet-test-diagnostic-lines source code type))
                       (equal got want)))
    (rivet-test-check (format "%s: %s diagnostics with code %s, severity %s, on lines %s"
                              name source code severity want)
                      (equal got want)
                      (format "got lines %s (any severity: %s)" got
                              (cl-loop for ty in '(eglot-error eglot-warning eglot-note)
                                       append (rivet-test-diagnostic-lines source code ty))))))

(defun rivet-test-step-diagnostics ()
  "Expect the scenario's code on exactly the marked lines."
  (let ((want (rivet-test-marked-lines (rivet-test-get 'diagnostics 'marker))))
    (when (rivet-test-check "the fixture has marked lines" want
                            (rivet-test-get 'diagnostics 'marker))
      (flymake-start)
      (rivet-test-wait-diagnostics "pushed" want))))

(defun rivet-test-step-header (server)
  "Open the scenario's header and expect SERVER to manage it too."
  (with-current-buffer (find-file-noselect (expand-file-name (rivet-test-get 'header) rivet-test-root))
    (rivet-test-check (format "%s (%s) joins the server" (rivet-test-get 'header) major-mode)
                      (rivet-test-wait rivet-test-timeout
                                       (lambda () (eq (eglot-current-server) server)))
                      "not managed")))

(defun rivet-test-step-hover ()
  "Expect the hover (ElDoc) at point to show the C side."
  (if (not (eglot--server-capable :hoverProvider))
      (rivet-test-skip "hover" "the server does not announce hoverProvider")
    (let* ((text (rivet-test-hover))
           (missing (cl-remove-if (lambda (s) (and text (string-search s text)))
                                  (append (rivet-test-get 'hover 'contains) nil))))
      (rivet-test-check (format "hover on %s shows the C side" (rivet-test-get 'symbol 'name))
                        (and text (not (string-empty-p text)) (null missing))
                        (format "missing %S in %S" missing text)))))

(defun rivet-test-step-definition ()
  "Expect Xref's definition at point to be the scenario's."
  (if (not (eglot--server-capable :definitionProvider))
      (rivet-test-skip "definition" "the server does not announce definitionProvider")
    (let* ((file (file-truename (expand-file-name (rivet-test-get 'definition 'file) rivet-test-root)))
           (want (rivet-test-find-line file
                                       (rivet-test-get 'definition 'line_containing)
                                       (rivet-test-get 'definition 'name)))
           (got (save-excursion (rivet-test-definition))))
      (rivet-test-check (format "definition of %s is %s:%d:%d" (rivet-test-get 'symbol 'name)
                                (rivet-test-get 'definition 'file) (car want) (1+ (cdr want)))
                        (equal got (list file (car want) (cdr want)))
                        (format "got %S" got)))))

(defun rivet-test-step-code-action ()
  "Pick the scenario's code action on the first marked line, as a user would.
Then expect that line's diagnostic gone and the later ones a line down."
  (if (not (eglot--server-capable :codeActionProvider))
      (rivet-test-skip "code action" "the server does not announce codeActionProvider")
    (let* ((want (rivet-test-marked-lines (rivet-test-get 'diagnostics 'marker)))
           (first (car want))
           (title (rivet-test-get 'code_action 'title_contains))
           offered chosen)
      (goto-char (point-min))
      (forward-line (1- first))
      ;; On the diagnostic, as M-x flymake-goto-next-error would leave
      ;; it: rivet offers the fixes of the diagnostics the cursor touches.
      (let ((diag (car (flymake-diagnostics (line-beginning-position) (line-end-position)))))
        (when diag (goto-char (flymake-diagnostic-beg diag))))
      (cl-letf (((symbol-function 'completing-read)
                 (lambda (_prompt items &rest _)
                   (setq offered (mapcar #'car items))
                   (setq chosen (cl-find-if (lambda (s) (string-search title s)) offered))
                   (or chosen (error "No action offered contains %S" title)))))
        ;; A keyboard user: completing-read rather than a popup menu.
        (let ((last-nonmenu-event 0))
          (condition-case err
              (eglot-code-actions (point) nil nil t)
            (error (setq offered (or offered (list (error-message-string err))))))))
      (when (rivet-test-check (format "code action \"...%s...\" offered on line %d" title first)
                              chosen (format "offered: %S" offered))
        (rivet-test-wait-diagnostics
         "after the edit"
         (cl-loop for l in want
                  unless (= l first) collect (if (> l first) (1+ l) l))
         'idle)))))

(cl-defun rivet-test-run ()
  "Run the scenario; return the exit status."
  (rivet-test-load-scenario)
  (rivet-eglot-setup)
  ;; Buffer-local when set (it is meant for .dir-locals.el): set the default.
  (setq-default eglot-workspace-configuration
                (list :rivet (rivet-test-plist (rivet-test-get 'settings))))
  (switch-to-buffer (find-file-noselect (expand-file-name (rivet-test-get 'file) rivet-test-root)))
  ;; What eglot-ensure does after the next command, which batch mode
  ;; never runs.
  (apply #'eglot--connect (eglot--guess-contact))
  (let ((server (rivet-test-wait rivet-test-timeout #'eglot-current-server)))
    (unless (rivet-test-check (format "eglot manages %s" (rivet-test-get 'file))
                              server "no server for the buffer")
      (cl-return-from rivet-test-run 1))
    (rivet-test-check "root is the fixture tree"
                      (equal (file-name-as-directory (file-truename (project-root (eglot--project server))))
                             (file-name-as-directory rivet-test-root))
                      (project-root (eglot--project server)))
    (rivet-test-check "rivet/status reached \"ready\""
                      (rivet-test-wait rivet-test-timeout (lambda () (member rivet-test-status '("ready" "idle"))))
                      (format "last status: %s" rivet-test-status))
    (rivet-test-step-diagnostics)
    (rivet-test-step-header server)
    (let ((at (rivet-test-find-line (buffer-file-name)
                                    (rivet-test-get 'symbol 'line_containing)
                                    (rivet-test-get 'symbol 'name))))
      (goto-char (point-min))
      (forward-line (1- (car at)))
      (forward-char (cdr at)))
    (rivet-test-step-hover)
    (rivet-test-step-definition)
    (rivet-test-skip "code lens" "eglot 1.9 has no code lenses")
    (rivet-test-step-code-action)       ; last: it edits the buffer
    (eglot-shutdown server))
  (if (zerop (nth 1 rivet-test-counts)) 0 1))

(rivet-test-main "emacs" #'rivet-test-run)

;;; rivet-test.el ends here
