-- Headless Neovim test of rivet through editors/nvim/lua/rivet.lua:
--
--   RIVET_BIN=/path/to/rivet nvim --headless -u editors/nvim/test/init.lua
--
-- It drives editors/test/scenario.json (open a fixture, wait for rivet's
-- pushed diagnostics, hover and go to definition on a bindings:: name,
-- code lens, code action), then checks rivet.lua's Neovim 0.8+ path
-- (vim.lsp.start, stubbed: this Neovim is 0.7) and the server
-- definitions for nvim-lspconfig and vim.lsp.config (lspconfig's started
-- for real),
-- prints one line per check and "N passed, N failed, N skipped", and
-- exits 0 when nothing failed, 1 when a check failed, 2 when the test
-- itself could not run. RIVET_LOG names a file for the server's debug
-- log.
local script = vim.fn.fnamemodify(debug.getinfo(1, 'S').source:sub(2), ':p')
local repo = vim.fn.fnamemodify(script, ':h:h:h:h')
vim.opt.runtimepath:prepend(repo .. '/editors/nvim')
vim.cmd('filetype on')

local counts = { passed = 0, failed = 0, skipped = 0 }

local function say(line)
  io.stdout:write(line .. '\n')
end

local function check(name, ok, detail)
  if ok then
    counts.passed = counts.passed + 1
    say('ok   ' .. name)
  else
    counts.failed = counts.failed + 1
    say('FAIL ' .. name .. ': ' .. tostring(detail))
  end
  return ok
end

local function skip(name, why)
  counts.skipped = counts.skipped + 1
  say('skip ' .. name .. ': ' .. why)
end

local function finish(code)
  say(string.format('nvim: %d passed, %d failed, %d skipped', counts.passed, counts.failed, counts.skipped))
  -- Shut the server down politely (shutdown, exit) before leaving.
  vim.lsp.stop_client(vim.lsp.get_active_clients())
  vim.wait(3000, function()
    return #vim.lsp.get_active_clients() == 0
  end, 20)
  if code == 0 then
    vim.cmd('qall!')
  else
    vim.cmd('cquit ' .. code)
  end
end

local function read_lines(path)
  local f = io.open(path, 'r')
  if not f then
    error('cannot read ' .. path)
  end
  local lines = {}
  for line in f:lines() do
    table.insert(lines, line)
  end
  f:close()
  return lines
end

-- find_line returns the 0-based line containing text and the 0-based
-- byte column of name in it (of text itself when name is nil).
local function find_line(lines, text, name)
  for i, line in ipairs(lines) do
    local at = line:find(text, 1, true)
    if at then
      local col = name and line:find(name, 1, true) or at
      return i - 1, col - 1
    end
  end
  error(string.format('no line contains %q', text))
end

-- line_list formats a set of 0-based line numbers as sorted 1-based
-- ones.
local function line_list(set)
  local out = {}
  for l in pairs(set) do
    table.insert(out, l + 1)
  end
  table.sort(out)
  return table.concat(out, ',')
end

local function realpath(path)
  return vim.loop.fs_realpath(path) or path
end

-- hover_text flattens Hover.contents (MarkupContent, MarkedString or a
-- list of them) to one string.
local function hover_text(contents)
  if type(contents) == 'string' then
    return contents
  end
  if contents.value then
    return contents.value
  end
  local parts = {}
  for _, c in ipairs(contents) do
    table.insert(parts, hover_text(c))
  end
  return table.concat(parts, '\n')
end

-- first_location normalises a definition result (Location, Location[]
-- or LocationLink[]) to its first location's URI and range.
local function first_location(result)
  if result == nil or result == vim.NIL then
    return nil
  end
  if result.uri or result.targetUri then
    result = { result }
  end
  local loc = result[1]
  if not loc then
    return nil
  end
  return loc.uri or loc.targetUri, loc.range or loc.targetSelectionRange
end

local function request(bufnr, method, timeout_ms)
  local params = vim.lsp.util.make_position_params()
  local responses, err = vim.lsp.buf_request_sync(bufnr, method, params, timeout_ms)
  if not responses then
    return nil, err
  end
  for _, res in pairs(responses) do
    if res.error then
      return nil, vim.inspect(res.error)
    end
    return res.result
  end
  return nil, 'no response'
end

-- The session every step works in.
local t = {}

-- marked_lines returns the set of 0-based lines of lines containing marker.
local function marked_lines(lines, marker)
  local set = {}
  for i, line in ipairs(lines) do
    if line:find(marker, 1, true) then
      set[i - 1] = true
    end
  end
  return set
end

local severities = {
  error = vim.diagnostic.severity.ERROR,
  warning = vim.diagnostic.severity.WARN,
  info = vim.diagnostic.severity.INFO,
  hint = vim.diagnostic.severity.HINT,
}

-- wait_diagnostics waits until the lines of the scenario's diagnostics in
-- the buffer, with the scenario's severity, are want, and checks it under
-- name.
local function wait_diagnostics(name, want)
  local d = t.scenario.diagnostics
  local got, other = {}, {}
  vim.wait(t.timeout, function()
    got, other = {}, {}
    for _, diag in ipairs(vim.diagnostic.get(t.bufnr)) do
      if diag.source == d.source and diag.code == d.code then
        if diag.severity == severities[d.severity] then
          got[diag.lnum] = true
        else
          other[diag.lnum] = true
        end
      end
    end
    return vim.deep_equal(got, want)
  end, 50)
  check(string.format('%s: %s diagnostics with code %s, severity %s, on lines %s', name, d.source, d.code,
    d.severity, line_list(want)), vim.deep_equal(got, want),
    string.format('got lines %s (and %s with another severity)', line_list(got), line_list(other)))
end

local function step_diagnostics()
  local want = marked_lines(t.lines, t.scenario.diagnostics.marker)
  if not check('the fixture has marked lines', next(want) ~= nil, t.scenario.diagnostics.marker) then
    return
  end
  wait_diagnostics('pushed', want)
end

local function step_hover()
  if not t.caps.hoverProvider then
    return skip('hover', 'the server does not announce hoverProvider')
  end
  local result, err = request(t.bufnr, 'textDocument/hover', t.timeout)
  local text = result and result ~= vim.NIL and hover_text(result.contents) or ''
  local missing = {}
  for _, s in ipairs(t.scenario.hover.contains) do
    if not text:find(s, 1, true) then
      table.insert(missing, s)
    end
  end
  check('hover on ' .. t.scenario.symbol.name .. ' shows the C side', text ~= '' and #missing == 0,
    err or string.format('missing %s in %q', vim.inspect(missing), text))
end

local function step_definition()
  if not t.caps.definitionProvider then
    return skip('definition', 'the server does not announce definitionProvider')
  end
  local def = t.scenario.definition
  local def_path = realpath(t.root .. '/' .. def.file)
  local def_line, def_col = find_line(read_lines(def_path), def.line_containing, def.name)
  local result, err = request(t.bufnr, 'textDocument/definition', t.timeout)
  local uri, range = first_location(result)
  local ok = uri ~= nil and realpath(vim.uri_to_fname(uri)) == def_path
    and range.start.line == def_line and range.start.character == def_col
  check(string.format('definition of %s is %s:%d:%d', t.scenario.symbol.name, def.file, def_line + 1, def_col + 1), ok,
    err or vim.inspect(result))
end

-- step_header opens a header: Neovim calls it cpp, and the buffer must
-- join the same client.
local function step_header()
  vim.cmd('edit ' .. vim.fn.fnameescape(t.root .. '/' .. t.scenario.header))
  local bufnr = vim.api.nvim_get_current_buf()
  local ft = vim.bo[bufnr].filetype
  local joined = vim.wait(t.timeout, function()
    return vim.lsp.buf_get_clients(bufnr)[t.client.id] ~= nil
  end, 50)
  check(string.format('%s (filetype %s) joins the client', t.scenario.header, ft), joined, 'not attached')
  vim.cmd('buffer ' .. t.bufnr)
end

-- step_code_lens opens the lens file, runs the lens through Neovim's
-- codelens module (which calls rivet.lua's rivet.showReferences) and
-- reads the quickfix list it fills.
local function step_code_lens()
  if not t.caps.codeLensProvider then
    return skip('code lens', 'the server does not announce codeLensProvider')
  end
  local lens = t.scenario.code_lens
  local path = realpath(t.root .. '/' .. lens.file)
  vim.cmd('edit ' .. vim.fn.fnameescape(path))
  local bufnr = vim.api.nvim_get_current_buf()
  local line = find_line(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false), lens.line_containing)
  local found = nil
  vim.wait(t.timeout, function()
    for _, l in ipairs(vim.lsp.codelens.get(bufnr)) do
      if l.range.start.line == line then
        found = l
      end
    end
    return found ~= nil
  end, 50)
  local title = found and found.command and found.command.title or ''
  check(string.format('code lens "%s…" on %s:%d', lens.title_prefix, lens.file, line + 1),
    vim.startswith(title, lens.title_prefix), found and vim.inspect(found) or 'no lens on that line')
  if found then
    local want_path = realpath(t.root .. '/' .. lens.includes.file)
    local want_line = find_line(read_lines(want_path), lens.includes.line_containing)
    vim.fn.setqflist({}, 'r', { items = {} })
    vim.api.nvim_win_set_cursor(0, { line + 1, 0 })
    vim.lsp.codelens.run()
    local items = vim.fn.getqflist()
    local listed = false
    for _, item in ipairs(items) do
      if realpath(vim.api.nvim_buf_get_name(item.bufnr)) == want_path and item.lnum == want_line + 1 then
        listed = true
      end
    end
    check(string.format('running the lens lists %s:%d', lens.includes.file, want_line + 1), listed,
      'quickfix lists ' .. table.concat(vim.tbl_map(function(item)
        return vim.fn.fnamemodify(vim.api.nvim_buf_get_name(item.bufnr), ':.') .. ':' .. item.lnum
      end, items), ', '))
  end
  vim.cmd('buffer ' .. t.bufnr)
end

-- step_code_action picks the scenario's action through
-- vim.lsp.buf.code_action (vim.ui.select answered here, as a user would),
-- then expects the silenced diagnostic gone after the edit.
local function step_code_action()
  if not t.caps.codeActionProvider then
    return skip('code action', 'the server does not announce codeActionProvider')
  end
  local want = marked_lines(t.lines, t.scenario.diagnostics.marker)
  local first = math.huge
  for l in pairs(want) do
    first = math.min(first, l)
  end
  local offered, chosen = {}, nil
  local select = vim.ui.select
  vim.ui.select = function(items, opts, on_choice)
    for i, item in ipairs(items) do
      local title = opts.format_item(item)
      table.insert(offered, title)
      if not chosen and title:find(t.scenario.code_action.title_contains, 1, true) then
        chosen = title
        on_choice(item, i)
      end
    end
    if not chosen then
      on_choice(nil, nil)
    end
  end
  -- On the diagnostic, as ]d (vim.diagnostic.goto_next) would leave it:
  -- rivet offers the fixes of the diagnostics the cursor touches.
  local col = 0
  for _, diag in ipairs(vim.diagnostic.get(t.bufnr, { lnum = first })) do
    if diag.code == t.scenario.diagnostics.code then
      col = diag.col
    end
  end
  vim.api.nvim_win_set_cursor(0, { first + 1, col })
  vim.lsp.buf.code_action()
  vim.wait(t.timeout, function()
    return #offered > 0
  end, 50)
  vim.ui.select = select
  check(string.format('code action "…%s…" offered on line %d', t.scenario.code_action.title_contains, first + 1),
    chosen ~= nil, 'offered: ' .. vim.inspect(offered))
  if not chosen then
    return
  end
  -- The edit inserts one line above the first marked line: that
  -- diagnostic goes, the later ones move down a line.
  local after = {}
  for l in pairs(want) do
    if l < first then
      after[l] = true
    elseif l > first then
      after[l + 1] = true
    end
  end
  wait_diagnostics('after the edit', after)
end


-- step_lsp_start checks the Neovim 0.8+ path of rivet.lua on this 0.7:
-- vim.lsp.start, stubbed by a fake that records its arguments and does
-- what 0.8's does (reuse the client of the same name and root_dir, else
-- vim.lsp.start_client; attach the buffer). rivet.attach must go through
-- it with the client configuration of the 0.7 path, and not call
-- vim.lsp.start_client itself.
local function step_lsp_start(opts)
  local calls, direct = {}, 0
  local in_fake = false
  local real_start_client = vim.lsp.start_client
  vim.lsp.start_client = function(...)
    if not in_fake then
      direct = direct + 1
    end
    return real_start_client(...)
  end
  vim.lsp.start = function(config, start_opts)
    table.insert(calls, { config = config, opts = start_opts, buf = vim.api.nvim_get_current_buf() })
    local id = nil
    for _, c in pairs(vim.lsp.get_active_clients()) do
      if c.name == config.name and c.config.root_dir == config.root_dir then
        id = c.id
      end
    end
    if not id then
      in_fake = true
      id = vim.lsp.start_client(config)
      in_fake = false
    end
    vim.lsp.buf_attach_client(vim.api.nvim_get_current_buf(), id)
    return id
  end
  local ok, err = pcall(function()
    local header = vim.fn.bufnr(t.root .. '/' .. t.scenario.header)
    local ids = {
      require('rivet').attach(t.bufnr),
      require('rivet').attach(header),
    }
    check('Neovim 0.8+: rivet.attach calls vim.lsp.start once per buffer', #calls == 2,
      #calls .. ' calls')
    check('Neovim 0.8+: rivet.attach does not call vim.lsp.start_client itself', direct == 0,
      direct .. ' direct calls')
    if #calls ~= 2 then
      return
    end
    check('Neovim 0.8+: vim.lsp.start gets each buffer (opts.bufnr, and current for 0.8)',
      calls[1].opts.bufnr == t.bufnr and calls[1].buf == t.bufnr and calls[2].opts.bufnr == header
        and calls[2].buf == header, vim.inspect({ calls[1].opts, calls[1].buf, calls[2].opts, calls[2].buf }))
    check('Neovim 0.8+: vim.lsp.start reuses the client of the root', ids[1] == t.client.id and ids[2] == t.client.id,
      vim.inspect(ids) .. ', running ' .. t.client.id)
    local c = calls[1].config
    local want_settings = vim.deepcopy(t.scenario.settings)
    local problems = {}
    local function expect(what, ok)
      if not ok then
        table.insert(problems, what)
      end
    end
    expect('name', c.name == 'rivet')
    expect('cmd', vim.deep_equal(c.cmd, opts.cmd))
    expect('root_dir', realpath(c.root_dir) == t.root)
    expect('workspace_folders', c.workspace_folders and #c.workspace_folders == 1
      and c.workspace_folders[1].uri == vim.uri_from_fname(c.root_dir))
    expect('init_options', vim.deep_equal(c.init_options, want_settings))
    expect('settings', c.settings and vim.deep_equal(c.settings.rivet, want_settings))
    expect('capabilities', c.capabilities and c.capabilities.textDocument and c.capabilities.experimental
      and vim.deep_equal(c.capabilities.experimental.commands, { commands = { 'rivet.showReferences' } }))
    expect('commands', c.commands and type(c.commands['rivet.showReferences']) == 'function')
    expect('handlers', c.handlers == opts.handlers)
    expect('on_attach', type(c.on_attach) == 'function')
    check('Neovim 0.8+: vim.lsp.start gets the client configuration of the 0.7 path', #problems == 0,
      'wrong: ' .. table.concat(problems, ', '))
  end)
  vim.lsp.start = nil
  vim.lsp.start_client = real_start_client
  if not ok then
    check('Neovim 0.8+ path ran', false, err)
  end
end

-- step_server_definitions loads nvim-lspconfig's definition
-- (lua/lspconfig/configs/rivet.lua and the older
-- server_configurations/rivet.lua) and Neovim 0.11's lsp/rivet.lua, checks
-- their fields and roots, then starts a client from lspconfig's
-- default_config the way lspconfig would (root_dir resolved, settings
-- under "rivet", on_new_config) and expects its diagnostics in the
-- fixture.
local function step_server_definitions(bin_cmd)
  local base = repo .. '/editors/nvim'
  local rivet = require('rivet')
  local file = realpath(t.root .. '/' .. t.scenario.file)
  local def = dofile(base .. '/lua/lspconfig/configs/rivet.lua')
  local old = dofile(base .. '/lua/lspconfig/server_configurations/rivet.lua')
  local dc = def.default_config or {}
  check('lspconfig definition: cmd, filetypes, single_file_support, settings',
    vim.deep_equal(dc.cmd, { 'rivet', 'serve' }) and vim.deep_equal(dc.filetypes, { 'c', 'cpp', 'rust' })
      and dc.single_file_support == false and type(dc.settings) == 'table',
    vim.inspect(dc))
  check('lspconfig definition: docs', def.docs and type(def.docs.description) == 'string'
    and def.docs.description ~= '' and def.docs.default_config and type(def.docs.default_config.root_dir) == 'string',
    vim.inspect(def.docs))
  check('lspconfig definition: server_configurations/rivet.lua is the same',
    old.default_config and vim.deep_equal(old.default_config.cmd, dc.cmd)
      and vim.deep_equal(old.default_config.filetypes, dc.filetypes)
      and old.docs.description == def.docs.description, vim.inspect(old))
  local root = type(dc.root_dir) == 'function' and dc.root_dir(file) or nil
  check('lspconfig definition: root_dir of ' .. t.scenario.file .. ' is ' .. t.scenario.root,
    root ~= nil and realpath(root) == t.root, tostring(root))
  local outside = vim.fn.tempname() .. '.c'
  check('lspconfig definition: no root outside a tree', dc.root_dir and dc.root_dir(outside) == nil,
    tostring(dc.root_dir and dc.root_dir(outside)))

  local nv = dofile(base .. '/lsp/rivet.lua')
  check('lsp/rivet.lua (vim.lsp.config): cmd, filetypes, root_markers, settings',
    vim.deep_equal(nv.cmd, { 'rivet', 'serve' }) and vim.deep_equal(nv.filetypes, { 'c', 'cpp', 'rust' })
      and vim.deep_equal(nv.root_markers, rivet.root_markers) and type(nv.settings) == 'table',
    vim.inspect(nv))
  local got_root = nil
  if type(nv.root_dir) == 'function' then
    nv.root_dir(t.bufnr, function(dir)
      got_root = dir
    end)
  end
  check('lsp/rivet.lua: root_dir of ' .. t.scenario.file .. ' is ' .. t.scenario.root,
    got_root ~= nil and realpath(got_root) == t.root, tostring(got_root))

  if not root then
    return
  end
  -- As lspconfig's setup{ cmd = ..., settings = { rivet = ... } } would
  -- make it. The buffer is reverted first: the code action edited it.
  vim.cmd('edit!')
  local cfg = vim.tbl_deep_extend('force', vim.deepcopy(dc), {
    name = 'rivet',
    cmd = bin_cmd,
    settings = { rivet = t.scenario.settings },
  })
  cfg.root_dir = root
  cfg.workspace_folders = { { uri = vim.uri_from_fname(root), name = root } }
  if def.on_new_config then
    def.on_new_config(cfg, root)
  end
  check('lspconfig definition: on_new_config sends settings.rivet as initializationOptions',
    vim.deep_equal(cfg.init_options, t.scenario.settings), vim.inspect(cfg.init_options))
  local id = vim.lsp.start_client(cfg)
  if not check('lspconfig definition: a client starts from default_config', id ~= nil, 'start_client failed') then
    return
  end
  vim.lsp.buf_attach_client(t.bufnr, id)
  local ns = vim.lsp.diagnostic.get_namespace(id)
  local want = marked_lines(t.lines, t.scenario.diagnostics.marker)
  local d = t.scenario.diagnostics
  local got = {}
  vim.wait(t.timeout, function()
    got = {}
    for _, diag in ipairs(vim.diagnostic.get(t.bufnr, { namespace = ns })) do
      if diag.source == d.source and diag.code == d.code and diag.severity == severities[d.severity] then
        got[diag.lnum] = true
      end
    end
    return vim.deep_equal(got, want)
  end, 50)
  check(string.format('lspconfig definition: its client pushes %s diagnostics (%s) on lines %s', d.code, d.severity,
    line_list(want)), vim.deep_equal(got, want), 'got lines ' .. line_list(got))
end

local function run()
  local bin = os.getenv('RIVET_BIN') or 'rivet'
  t.scenario = vim.json.decode(table.concat(read_lines(repo .. '/editors/test/scenario.json'), '\n'))
  t.root = realpath(repo .. '/' .. t.scenario.root)
  t.timeout = t.scenario.timeout_seconds * 1000
  local cmd = { bin, 'serve' }
  if os.getenv('RIVET_LOG') then
    vim.list_extend(cmd, { '--log', os.getenv('RIVET_LOG'), '--log-level', 'debug' })
  end

  local status = nil
  local opts = {
    cmd = cmd,
    settings = t.scenario.settings,
    handlers = {
      ['rivet/status'] = function(_, params)
        status = params.state
      end,
    },
  }
  require('rivet').setup(opts)

  vim.cmd('edit ' .. vim.fn.fnameescape(t.root .. '/' .. t.scenario.file))
  t.bufnr = vim.api.nvim_get_current_buf()
  t.lines = vim.api.nvim_buf_get_lines(t.bufnr, 0, -1, false)

  local client = nil
  local attached = vim.wait(t.timeout, function()
    client = select(2, next(vim.lsp.buf_get_clients(t.bufnr)))
    return client ~= nil and client.initialized == true
  end, 50)
  if not check('client started and initialized for ' .. t.scenario.file, attached, 'no rivet client attached') then
    return finish(1)
  end
  t.client = client
  t.caps = client.server_capabilities or {}
  check('root is the fixture tree', realpath(client.config.root_dir) == t.root, client.config.root_dir)
  local ready = vim.wait(t.timeout, function()
    return status == 'ready' or status == 'idle' -- idle follows ready
  end, 50)
  check('rivet/status reached "ready"', ready, 'last status: ' .. tostring(status))

  step_diagnostics()
  step_header()
  local sym_line, sym_col = find_line(t.lines, t.scenario.symbol.line_containing, t.scenario.symbol.name)
  vim.api.nvim_win_set_cursor(0, { sym_line + 1, sym_col })
  step_hover()
  step_definition()
  step_code_lens()
  step_code_action() -- edits the buffer; the next step reverts it
  step_lsp_start(opts)
  step_server_definitions(cmd)
  finish(counts.failed == 0 and 0 or 1)
end

vim.api.nvim_create_autocmd('VimEnter', {
  once = true,
  nested = true, -- so that :edit fires FileType, which starts rivet
  callback = function()
    local ok, err = pcall(run)
    if not ok then
      say('ERROR ' .. tostring(err))
      finish(2)
    end
  end,
})
