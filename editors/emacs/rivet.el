;;; rivet.el --- Eglot and lsp-mode set-up for rivet, the C/Rust FFI language server  -*- lexical-binding: t; -*-

;; Keywords: languages, c, rust, tools
;; Package-Requires: ((emacs "28.1"))

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
;;
;; lsp-mode: once lsp-mode is loaded, requiring rivet registers the
;; client `rivet' (`rivet-lsp-register'), an add-on that runs beside
;; clangd or rust-analyzer in c, cpp and rust buffers:
;;
;;   (require 'rivet)
;;   (setq rivet-lsp-settings '(:rules (:unsafe-missing-safety "off")))
;;   (add-hook 'c-mode-hook #'lsp-deferred)    ; and c++-mode, rust-mode...
;;
;; lsp-mode has one project root per buffer for all its servers, asked
;; of the user the first time (`lsp-auto-guess-root' takes the suggestion
;; without asking).  Its suggestion comes from project.el, to which
;; `rivet-project-find' is added, so that a kernel tree's root is
;; offered; pick that root (or add it later with
;; `lsp-workspace-folders-add'), not a subdirectory.  rivet-lsp-settings
;; go as initializationOptions and answer rivet's workspace/configuration
;; request for the "rivet" section.
;;
;; Eglot or lsp-mode: this file needs neither at load time.  M-x
;; rivet-customize lists the options (the customization group rivet).

;;; Code:

(require 'cl-lib)
(require 'project)

(defvar eglot-server-programs)
(defvar lsp-language-id-configuration)
(declare-function make-lsp-client "ext:lsp-mode")
(declare-function lsp-register-client "ext:lsp-mode")
(declare-function lsp-stdio-connection "ext:lsp-mode")
(declare-function lsp-activate-on "ext:lsp-mode")
(declare-function lsp:configuration-params-items "ext:lsp-protocol")
(declare-function lsp:configuration-item-section? "ext:lsp-protocol")

(defgroup rivet nil
  "The rivet language server."
  :group 'tools
  :prefix "rivet-")

;;;###autoload
(defun rivet-customize ()
  "Customize rivet's options (the group `rivet')."
  (interactive)
  (customize-group 'rivet))

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
  (require 'eglot)
  (setq eglot-server-programs
        (cons (cons rivet-major-modes #'rivet-eglot-contact)
              (cl-remove #'rivet-eglot-contact eglot-server-programs :key #'cdr)))
  (add-hook 'project-find-functions #'rivet-project-find))

;;; lsp-mode

(defcustom rivet-lsp-settings nil
  "Settings of rivet under lsp-mode: the keys of .rivet.toml as a plist.
For instance (:rules (:unsafe-missing-safety \"off\")).  They are sent
as initializationOptions and answer rivet's workspace/configuration
request for the \"rivet\" section; nil leaves .rivet.toml alone."
  :type '(plist :key-type symbol))

(defconst rivet--lsp-language-ids
  '((c-mode . "c") (c-ts-mode . "c") (c++-mode . "cpp") (c++-ts-mode . "cpp")
    (rust-mode . "rust") (rust-ts-mode . "rust"))
  "Language ids of the major modes rivet serves, for lsp-mode.
Those lsp-mode does not know yet are added to
`lsp-language-id-configuration'.")

(defvar rivet-lsp-status nil
  "The state of rivet's last rivet/status notification under lsp-mode.
One of \"indexing\", \"ready\" or \"idle\".")

(defun rivet--lsp-status (_workspace params)
  "Record the state in PARAMS of a rivet/status notification."
  (setq rivet-lsp-status
        (if (hash-table-p params) (gethash "state" params) (plist-get params :state))))

(defun rivet--lsp-configuration (_workspace params)
  "Answer rivet's workspace/configuration request PARAMS.
The \"rivet\" section is `rivet-lsp-settings'; other sections are null."
  (apply #'vector
         (mapcar (lambda (item)
                   (and (equal (lsp:configuration-item-section? item) "rivet")
                        rivet-lsp-settings))
                 (lsp:configuration-params-items params))))

(defun rivet--lsp-table (&rest pairs)
  "Return a hash table of method names to handlers from PAIRS."
  (let ((table (make-hash-table :test 'equal)))
    (while pairs
      (puthash (pop pairs) (pop pairs) table))
    table))

;;;###autoload
(defun rivet-lsp-register ()
  "Register rivet with lsp-mode, as an add-on beside other servers.
Done when lsp-mode is loaded.  Also adds the language ids lsp-mode lacks
for `rivet--lsp-language-ids' and `rivet-project-find' to
`project-find-functions', whose root lsp-mode suggests."
  (dolist (entry rivet--lsp-language-ids)
    (unless (assq (car entry) lsp-language-id-configuration)
      (add-to-list 'lsp-language-id-configuration entry t)))
  (add-hook 'project-find-functions #'rivet-project-find)
  (lsp-register-client
   (make-lsp-client
    :new-connection (lsp-stdio-connection (lambda () (cons rivet-program rivet-program-args)))
    :activation-fn (lsp-activate-on "c" "cpp" "rust")
    :server-id 'rivet
    :add-on? t
    :priority -1
    :initialization-options (lambda () rivet-lsp-settings)
    :notification-handlers (rivet--lsp-table "rivet/status" #'rivet--lsp-status)
    :request-handlers (rivet--lsp-table "workspace/configuration" #'rivet--lsp-configuration))))

(with-eval-after-load 'lsp-mode
  (rivet-lsp-register))

(provide 'rivet)
;;; rivet.el ends here
