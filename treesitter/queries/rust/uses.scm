; use declarations: @tree is what is imported (a path, a use list, a glob
; or an alias).

(use_declaration
  argument: (_) @tree) @use
