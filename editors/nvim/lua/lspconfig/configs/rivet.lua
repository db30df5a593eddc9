-- rivet's server definition for nvim-lspconfig:
--
--   vim.opt.runtimepath:append('/path/to/rivet/editors/nvim')
--   require('lspconfig').rivet.setup({
--     settings = { rivet = { rules = { ['unsafe-missing-safety'] = 'off' } } },
--   })
--
-- nvim-lspconfig loads lspconfig/configs/<name>.lua (since 2024) or
-- lspconfig/server_configurations/<name>.lua (before) from 'runtimepath';
-- the second file returns this one. Nothing here needs lspconfig's util
-- module: the root is found by rivet.lua's find_root (the nearest
-- directory holding rust/bindings/bindings_helper.h, else .rivet.toml,
-- else .git). A file with no root gets no client (single_file_support is
-- off): rivet needs a tree to link C and Rust.
--
-- settings take the keys of .rivet.toml (docs/settings.md) under a
-- "rivet" key; they answer rivet's workspace/configuration request and
-- are also sent as initializationOptions (on_new_config).
local rivet = require('rivet')

return {
  default_config = {
    cmd = { 'rivet', 'serve' },
    filetypes = vim.deepcopy(rivet.filetypes),
    root_dir = function(fname)
      return rivet.find_root(fname)
    end,
    single_file_support = false,
    settings = {},
    -- initializationOptions: the "rivet" section of settings, if any.
    init_options = nil,
  },
  on_new_config = function(new_config)
    local section = type(new_config.settings) == 'table' and new_config.settings.rivet or nil
    if type(section) == 'table' and next(section) ~= nil then
      new_config.init_options = section
    end
  end,
  docs = {
    description = [[
https://github.com/rivet-lsp/rivet

rivet links C and Rust across the FFI boundary of Linux-kernel trees and
reports lifecycle and ownership problems there. Install it with
`go install github.com/rivet-lsp/rivet@latest` and put this definition on
'runtimepath' (`editors/nvim` of rivet's repository).

Settings use the keys of `.rivet.toml` (docs/settings.md) under `rivet`:

```lua
require('lspconfig').rivet.setup({
  settings = { rivet = { rules = { ['unsafe-missing-safety'] = 'off' } } },
})
```

rivet runs beside clangd and rust-analyzer; it serves c, cpp (Neovim's
type for .h) and rust buffers.
]],
    default_config = {
      root_dir = [[the nearest ancestor holding rust/bindings/bindings_helper.h, else .rivet.toml, else .git]],
    },
  },
}
