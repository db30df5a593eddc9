; #include lines: @path is "file.h" or <file.h> as written.

(preproc_include
  path: [(string_literal) (system_lib_string)] @path) @include
