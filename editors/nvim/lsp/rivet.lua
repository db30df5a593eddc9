-- rivet for Neovim 0.11's vim.lsp.config, which reads lsp/<name>.lua from
-- 'runtimepath':
--
--   vim.opt.runtimepath:append('/path/to/rivet/editors/nvim')
--   vim.lsp.config('rivet', {
--     settings = { rivet = { rules = { ['unsafe-missing-safety'] = 'off' } } },
--   })
--   vim.lsp.enable('rivet')
--
-- root_markers are rivet's, most specific first; root_dir finds the root
-- the same way (rivet.lua's find_root: a marker is looked for in every
-- ancestor before the next is tried) and starts no client for a file
-- outside any tree, since rivet needs one to link C and Rust.
local rivet = require('rivet')

return {
  cmd = { 'rivet', 'serve' },
  filetypes = vim.deepcopy(rivet.filetypes),
  root_markers = vim.deepcopy(rivet.root_markers),
  root_dir = function(bufnr, on_dir)
    local name = vim.api.nvim_buf_get_name(bufnr)
    local root = name ~= '' and rivet.find_root(name) or nil
    if root then
      on_dir(root)
    end
  end,
  settings = {},
}
