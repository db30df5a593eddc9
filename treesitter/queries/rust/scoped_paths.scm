; Paths with a prefix (bindings::foo, kernel::bindings::foo, crate::x::y):
; @path is the prefix, @name the last segment. Nested prefixes match too,
; so kernel::bindings::foo also yields kernel::bindings.

(scoped_identifier
  path: (_) @path
  name: (identifier) @name) @scoped

(scoped_type_identifier
  path: (_) @path
  name: (type_identifier) @name) @scoped
