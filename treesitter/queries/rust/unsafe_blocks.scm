; Unsafe blocks: @block is the whole `unsafe { ... }` expression.

(unsafe_block) @block
