-- Headless Neovim test of rivet through editors/nvim/lua/rivet.lua:
--
--   RIVET_BIN=/path/to/rivet nvim --headless -u editors/nvim/test/init.lua
--
-- It drives editors/test/scenario.json (open a fixture, wait for rivet's
-- pushed diagnostics, hover and go to definition on a bindings:: name),
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

local function run()
  local bin = os.getenv('RIVET_BIN') or 'rivet'
  local scenario = vim.json.decode(table.concat(read_lines(repo .. '/editors/test/scenario.json'), '\n'))
  local root = realpath(repo .. '/' .. scenario.root)
  local timeout = scenario.timeout_seconds * 1000
  local cmd = { bin, 'serve' }
  if os.getenv('RIVET_LOG') then
    vim.list_extend(cmd, { '--log', os.getenv('RIVET_LOG'), '--log-level', 'debug' })
  end

  local status = nil
  require('rivet').setup({
    cmd = cmd,
    handlers = {
      ['rivet/status'] = function(_, params)
        status = params.state
      end,
    },
  })

  local path = root .. '/' .. scenario.file
  vim.cmd('edit ' .. vim.fn.fnameescape(path))
  local bufnr = vim.api.nvim_get_current_buf()
  local lines = vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)

  local client = nil
  local attached = vim.wait(timeout, function()
    client = select(2, next(vim.lsp.buf_get_clients(bufnr)))
    return client ~= nil and client.initialized == true
  end, 50)
  if not check('client started and initialized for ' .. scenario.file, attached, 'no rivet client attached') then
    return finish(1)
  end
  check('root is the fixture tree', realpath(client.config.root_dir) == root, client.config.root_dir)
  local ready = vim.wait(timeout, function()
    return status == 'ready'
  end, 50)
  check('rivet/status reached "ready"', ready, 'last status: ' .. tostring(status))

  -- Diagnostics: exactly the marked lines carry the scenario's code.
  local d = scenario.diagnostics
  local want = {}
  for i, line in ipairs(lines) do
    if line:find(d.marker, 1, true) then
      want[i - 1] = true
    end
  end
  local function got_lines()
    local got = {}
    for _, diag in ipairs(vim.diagnostic.get(bufnr)) do
      if diag.source == d.source and diag.code == d.code then
        got[diag.lnum] = true
      end
    end
    return got
  end
  local got = {}
  vim.wait(timeout, function()
    got = got_lines()
    return vim.deep_equal(got, want)
  end, 50)
  check(
    string.format('%s diagnostics with code %s on lines %s', d.source, d.code, line_list(want)),
    next(want) ~= nil and vim.deep_equal(got, want),
    'got lines ' .. line_list(got)
  )

  -- Hover and definition on the symbol.
  local sym_line, sym_col = find_line(lines, scenario.symbol.line_containing, scenario.symbol.name)
  vim.api.nvim_win_set_cursor(0, { sym_line + 1, sym_col })
  local caps = client.server_capabilities or {}

  if caps.hoverProvider then
    local result, err = request(bufnr, 'textDocument/hover', timeout)
    local text = result and result ~= vim.NIL and hover_text(result.contents) or ''
    local missing = {}
    for _, s in ipairs(scenario.hover.contains) do
      if not text:find(s, 1, true) then
        table.insert(missing, s)
      end
    end
    check('hover on ' .. scenario.symbol.name .. ' shows the C side', text ~= '' and #missing == 0,
      err or string.format('missing %s in %q', vim.inspect(missing), text))
  else
    skip('hover', 'the server does not announce hoverProvider')
  end

  if caps.definitionProvider then
    local def = scenario.definition
    local def_path = realpath(root .. '/' .. def.file)
    local def_line, def_col = find_line(read_lines(def_path), def.line_containing, def.name)
    local result, err = request(bufnr, 'textDocument/definition', timeout)
    local uri, range = first_location(result)
    local ok = uri ~= nil and realpath(vim.uri_to_fname(uri)) == def_path
      and range.start.line == def_line and range.start.character == def_col
    check(string.format('definition of %s is %s:%d:%d', scenario.symbol.name, def.file, def_line + 1, def_col + 1), ok,
      err or vim.inspect(result))
  else
    skip('definition', 'the server does not announce definitionProvider')
  end

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
