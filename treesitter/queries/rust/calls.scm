; Calls: @name is the called function's last path segment (bindings::foo
; gives foo) or the method name, @function the whole callee expression,
; @args the argument list.

(call_expression
  function: [
    (identifier) @name
    (scoped_identifier name: (identifier) @name)
    (field_expression field: (field_identifier) @name)
    (generic_function function: [
      (identifier) @name
      (scoped_identifier name: (identifier) @name)
      (field_expression field: (field_identifier) @name)])
  ] @function
  arguments: (arguments) @args) @call
