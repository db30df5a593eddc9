; Calls of a named function or macro, and calls through a struct member
; (ops->probe(dev)). @name is the callee's name, @args the argument list.

(call_expression
  function: (identifier) @name
  arguments: (argument_list) @args) @call

(call_expression
  function: (field_expression field: (field_identifier) @name)
  arguments: (argument_list) @args) @call
