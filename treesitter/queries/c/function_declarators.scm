; Function declarators of prototypes and definitions: @name is the declared
; function, @params its parameter list. A declarator nested in a pointer
; declarator (a function returning a pointer) matches too; function
; pointers (whose declarator is parenthesized) do not.

(function_declarator
  declarator: (identifier) @name
  parameters: (parameter_list) @params) @declarator
