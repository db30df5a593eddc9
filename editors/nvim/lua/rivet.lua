-- rivet for Neovim 0.7 and later, without nvim-lspconfig (for it, see
-- lua/lspconfig/configs/rivet.lua; for Neovim 0.11's vim.lsp.config,
-- lsp/rivet.lua).
--
-- Put this directory on 'runtimepath' (or copy this file to
-- ~/.config/nvim/lua/rivet.lua) and call, from init.lua:
--
--   require('rivet').setup({
--     cmd = { 'rivet', 'serve' },          -- the default
--     settings = { rules = { ['unsafe-missing-safety'] = 'off' } },
--   })
--
-- setup() adds a FileType autocommand for c, cpp (Neovim's type for .h)
-- and rust. Each buffer is attached to one client per workspace root
-- (through vim.lsp.start on Neovim 0.8 and later, which reuses the client
-- of the same root; vim.lsp.start_client and buf_attach_client on 0.7),
-- found by walking up from the buffer's file: the nearest directory
-- holding rust/bindings/bindings_helper.h (a kernel tree), else
-- .rivet.toml, else .git. A buffer with no root gets no client: rivet
-- needs a tree to link C and Rust.
--
-- settings uses the keys of .rivet.toml (docs/settings.md). They go to
-- the server as initializationOptions and answer its
-- workspace/configuration request for the "rivet" section; keys set here
-- override the same keys of .rivet.toml (rules code by code).
--
-- Neovim 0.7 takes pushed diagnostics (textDocument/publishDiagnostics),
-- which rivet always sends; they appear with source "rivet". Code lenses
-- ("used from Rust: N" above C functions, "called from C: N" above Rust
-- exports) are refreshed on BufEnter, InsertLeave and BufWritePost unless
-- codelens = false; :lua vim.lsp.codelens.run() on a lens line lists the
-- uses in the quickfix window. Neovim 0.7 has no inlay hints.
local M = {}

-- Markers, most specific first: a marker is looked for in every ancestor
-- before the next one is tried, so a kernel tree's root wins over a .git
-- in a subdirectory.
M.root_markers = { 'rust/bindings/bindings_helper.h', '.rivet.toml', '.git' }

M.filetypes = { 'c', 'cpp', 'rust' }

local defaults = {
  cmd = { 'rivet', 'serve' },
  settings = {},
  codelens = true,
  -- on_attach(client, bufnr), capabilities, handlers and cmd_env are
  -- passed through to vim.lsp.start (0.8+) or vim.lsp.start_client (0.7)
  -- when set.
}

-- The command of rivet's code lenses, run by the client. rivet sends it
-- only to clients that list it in capabilities.experimental.commands.
M.show_references_command = 'rivet.showReferences'

local config = nil
local clients = {} -- root directory -> client id

local function exists(path)
  return vim.loop.fs_stat(path) ~= nil
end

local function parent(dir)
  local up = vim.fn.fnamemodify(dir, ':h')
  if up == dir then
    return nil
  end
  return up
end

--- Returns the workspace root of the file at path, or nil.
function M.find_root(path)
  local start = vim.fn.fnamemodify(path, ':p:h')
  for _, marker in ipairs(M.root_markers) do
    local dir = start
    while dir do
      if exists(dir .. '/' .. marker) then
        return dir
      end
      dir = parent(dir)
    end
  end
  return nil
end

-- Empty Lua tables encode as JSON arrays; rivet's map-valued settings
-- must be objects.
local map_keys = { rules = true, lifecycle = true }

local function server_settings(settings)
  if settings == nil or next(settings) == nil then
    return nil
  end
  local out = vim.deepcopy(settings)
  for key in pairs(map_keys) do
    if type(out[key]) == 'table' and next(out[key]) == nil then
      out[key] = vim.empty_dict()
    end
  end
  return out
end

-- show_references runs a lens's rivet.showReferences: its arguments are
-- the document URI, the lens position and the locations counted, which
-- go to the quickfix list.
local function show_references(command, ctx)
  local client = vim.lsp.get_client_by_id(ctx.client_id)
  local locations = (command.arguments or {})[3] or {}
  local items = vim.lsp.util.locations_to_items(locations, client and client.offset_encoding or 'utf-16')
  vim.fn.setqflist({}, ' ', { title = command.title, items = items })
  vim.cmd('copen')
end

local function capabilities()
  local caps = config.capabilities or vim.lsp.protocol.make_client_capabilities()
  caps = vim.deepcopy(caps)
  caps.experimental = caps.experimental or {}
  caps.experimental.commands = { commands = { M.show_references_command } }
  return caps
end

local function on_attach(client, bufnr)
  if config.codelens and client.server_capabilities.codeLensProvider then
    vim.api.nvim_create_autocmd({ 'BufEnter', 'InsertLeave', 'BufWritePost' }, {
      group = vim.api.nvim_create_augroup('rivet_codelens_' .. bufnr, { clear = true }),
      buffer = bufnr,
      callback = function()
        vim.lsp.codelens.refresh()
      end,
    })
    vim.api.nvim_buf_call(bufnr, vim.lsp.codelens.refresh)
  end
  if config.on_attach then
    config.on_attach(client, bufnr)
  end
end

--- Returns the client configuration rivet.lua starts for root (the
--- table given to vim.lsp.start or vim.lsp.start_client).
function M.client_config(root)
  local settings = server_settings(config.settings)
  return {
    name = 'rivet',
    cmd = config.cmd,
    cmd_env = config.cmd_env,
    root_dir = root,
    workspace_folders = { { uri = vim.uri_from_fname(root), name = root } },
    init_options = settings,
    settings = settings and { rivet = settings } or {},
    capabilities = capabilities(),
    commands = { [M.show_references_command] = show_references },
    handlers = config.handlers,
    on_attach = on_attach,
  }
end

-- start_client is the Neovim 0.7 path: one client per root, kept in
-- clients until it exits.
local function start_client(root)
  local cfg = M.client_config(root)
  cfg.on_exit = function()
    clients[root] = nil
  end
  local id = vim.lsp.start_client(cfg)
  clients[root] = id
  return id
end

--- Attaches the buffer to the rivet client of its root, starting the
--- client first when needed. Returns the client id, or nil when the
--- buffer has no file or no root.
---
--- Neovim 0.8 and later: vim.lsp.start, which attaches the buffer and
--- reuses the client of the same name and root_dir. Neovim 0.7:
--- vim.lsp.start_client and vim.lsp.buf_attach_client.
function M.attach(bufnr)
  bufnr = bufnr or vim.api.nvim_get_current_buf()
  local name = vim.api.nvim_buf_get_name(bufnr)
  if name == '' or vim.bo[bufnr].buftype ~= '' then
    return nil
  end
  local root = M.find_root(name)
  if not root then
    return nil
  end
  if vim.lsp.start then
    local id
    -- 0.8's vim.lsp.start attaches the current buffer; opts.bufnr is
    -- 0.9's.
    vim.api.nvim_buf_call(bufnr, function()
      id = vim.lsp.start(M.client_config(root), { bufnr = bufnr })
    end)
    return id
  end
  local id = clients[root] or start_client(root)
  if id then
    vim.lsp.buf_attach_client(bufnr, id)
  end
  return id
end

--- Sets rivet up; see the top of this file for opts.
function M.setup(opts)
  config = vim.tbl_extend('force', defaults, opts or {})
  local group = vim.api.nvim_create_augroup('rivet', { clear = true })
  vim.api.nvim_create_autocmd('FileType', {
    group = group,
    pattern = M.filetypes,
    callback = function(args)
      M.attach(args.buf)
    end,
  })
end

return M
