;;; rivet.el --- Eglot set-up for rivet, the C/Rust FFI language server  -*- lexical-binding: t; -*-

;; Keywords: languages, c, rust, tools
;; Package-Requires: ((emacs "28.1") (eglot "1.9"))

;;; Commentary:

;; rivet links C and Rust across the FFI boundary of Linux-kernel-style
;; trees and reports lifecycle and ownership problems there.  This file
;; tells Eglot how to start it:
;;
;;   (add-to-list 'load-path "/path/to/rivet/editors/emacs")
;;   (require 'rivet)
;;   (rivet-eglot-setup)
;;   (add-hook 'c-mode-hook #'eglot-ensure)     ; and c++-mode, rust-mode...
;;
;; rivet-eglot-setup registers `rivet serve' in `eglot-server-programs'
;; for `rivet-major-modes', and adds `rivet-project-find' to
;; `project-find-functions' so that a kernel tree's root (the directory
;; holding rust/bindings/bindings_helper.h, or else .rivet.toml) is the
;; workspace even when a version-control root lies elsewhere.
;;
;; Settings use the keys of .rivet.toml (docs/settings.md) under a
;; "rivet" section of `eglot-workspace-configuration', for instance in
;; .dir-locals.el:
;;
;;   ((nil (eglot-workspace-configuration
;;          . (:rivet (:rules (:unsafe-missing-safety "off"))))))
;;
;; Eglot 1.9 shows the diagnostics rivet pushes through Flymake
;; ("rivet [CODE]: message"), hover through ElDoc and definitions
;; through Xref.  It has no inlay hints or code lenses.

;;; Code:

(require 'cl-lib)
(require 'eglot)
(require 'project)

(defgroup rivet nil
  "The rivet language server."
  :group 'tools
  :prefix "rivet-")

(defcustom rivet-program "rivet"
  "The rivet executable: a name looked up on `exec-path', or a file name."
  :type 'string)

(defcustom rivet-program-args '("serve")
  "Arguments of `rivet-program'.
Add \"--log\" \"/tmp/rivet.log\" \"--log-level\" \"debug\" to
troubleshoot."
  :type '(repeat string))

(defcustom rivet-major-modes
  '(c-mode c++-mode c-ts-mode c++-ts-mode
    (rust-mode :language-id "rust") (rust-ts-mode :language-id "rust"))
  "Major modes whose buffers rivet serves.
Each is a mode symbol or (MODE :language-id ID), as in
`eglot-server-programs'."
  :type '(repeat (choice symbol (list symbol (const :language-id) string))))

(defcustom rivet-project-markers
  '("rust/bindings/bindings_helper.h" ".rivet.toml")
  "Files that mark a rivet workspace root, most specific first.
Each is looked for in every parent directory before the next is tried."
  :type '(repeat string))

(defun rivet-eglot-contact (_interactive)
  "Return the Eglot contact for rivet: `rivet-program' with its arguments."
  (cons rivet-program rivet-program-args))

(defun rivet-project-find (dir)
  "Return a transient project rooted at the rivet workspace holding DIR.
The root is the nearest parent holding one of `rivet-project-markers';
nil when there is none, so that other project backends are asked."
  (when (apply #'derived-mode-p (rivet--mode-symbols))
    (cl-loop for marker in rivet-project-markers
             for root = (locate-dominating-file dir marker)
             when root return (cons 'transient (file-name-as-directory root)))))

(defun rivet--mode-symbols ()
  "The major-mode symbols of `rivet-major-modes'."
  (mapcar (lambda (m) (if (consp m) (car m) m)) rivet-major-modes))

;;;###autoload
(defun rivet-eglot-setup ()
  "Register rivet with Eglot and its workspace roots with project.el."
  (setq eglot-server-programs
        (cons (cons rivet-major-modes #'rivet-eglot-contact)
              (cl-remove #'rivet-eglot-contact eglot-server-programs :key #'cdr)))
  (add-hook 'project-find-functions #'rivet-project-find))

(provide 'rivet)
;;; rivet.el ends here
