; Outer and inner attributes: @name is the attribute path (no_mangle,
; repr, kernel::macros::vtable), @args its token tree (repr(C)) and
; @value its value (export_name = "x").

(attribute_item
  (attribute
    [(identifier) (scoped_identifier)] @name
    arguments: (token_tree)? @args
    value: (_)? @value)) @attribute

(inner_attribute_item
  (attribute
    [(identifier) (scoped_identifier)] @name
    arguments: (token_tree)? @args
    value: (_)? @value)) @attribute
