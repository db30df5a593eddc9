; #define lines, object-like and function-like. @name is the macro, @params
; the parameter list of a function-like one, @value the body if any.

(preproc_def
  name: (identifier) @name
  value: (preproc_arg)? @value) @define

(preproc_function_def
  name: (identifier) @name
  parameters: (preproc_params) @params
  value: (preproc_arg)? @value) @define
