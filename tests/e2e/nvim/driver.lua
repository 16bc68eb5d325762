-- Headless end-to-end driver for tests/e2e/test_neovim.py (not part of the plugin).
--
-- Run as: nvim --headless -u NONE -i NONE -n --cmd 'set rtp^=<clients/neovim>' -l driver.lua
-- Environment:
--   SKEPTIC_NVIM_SERVER    the skeptic executable
--   SKEPTIC_NVIM_DRAFT     a writable copy of examples/multifile
--   SKEPTIC_NVIM_OUT       where to write the JSON report
--   SKEPTIC_NVIM_KEY       a fake API key handed to setup() (must never be printed)
--   SKEPTIC_NVIM_ENCODING  optional: the only position encoding the client offers
--   SKEPTIC_NVIM_NO_REFRESH  optional: the client does not offer diagnostic refresh
--   SKEPTIC_NVIM_PHASES    optional: 'diagnostics' (skip everything after the twist)
--   SKEPTIC_NVIM_TARGET    0-based line of intro.tex whose objection gets the twist
--
-- Everything observed goes into one JSON object; the Python test asserts on it.

local out = { notifications = {}, statuses = {}, timings = {}, menus = {}, menu_choices = {} }
local started = vim.uv.hrtime()
local TIMEOUT = 30000

local function mark(name)
  out.timings[name] = math.floor((vim.uv.hrtime() - started) / 1e6)
end

local function write()
  local file = assert(io.open(assert(os.getenv('SKEPTIC_NVIM_OUT')), 'w'))
  file:write(vim.json.encode(out))
  file:close()
end

-- Record notifications and never block on a menu (a menu appearing is itself recorded).
vim.notify = function(message, level)
  out.notifications[#out.notifications + 1] = { message = tostring(message), level = level }
end
vim.ui.select = function(items, opts, on_choice)
  local labels = {}
  for _, item in ipairs(items) do
    labels[#labels + 1] = opts and opts.format_item and opts.format_item(item) or tostring(item)
  end
  out.menus[#out.menus + 1] = labels
  local first = items[1]
  local action = type(first) == 'table' and type(first.action) == 'table' and first.action or {}
  out.menu_choices[#out.menu_choices + 1] =
    { title = action.title, edit = action.edit, command = action.command }
  on_choice(first, 1)
end

local function diag_record(d, pull)
  local lsp = d.user_data and d.user_data.lsp or {}
  return {
    lnum = d.lnum,
    col = d.col,
    end_lnum = d.end_lnum,
    end_col = d.end_col,
    code = d.code,
    source = d.source,
    severity = d.severity,
    message = d.message,
    fingerprint = type(lsp.data) == 'table' and lsp.data.fingerprint or nil,
    persona = type(lsp.data) == 'table' and lsp.data.persona or nil,
    pull = pull,
  }
end

--- Skeptic diagnostics of a buffer, from the pull and the push namespaces.
local function skeptic_diagnostics(bufnr, client)
  local found = {}
  for _, pull in ipairs({ true, false }) do
    local ns = vim.lsp.diagnostic.get_namespace(client.id, pull)
    for _, d in ipairs(vim.diagnostic.get(bufnr, { namespace = ns })) do
      if d.source == 'skeptic' then
        found[#found + 1] = diag_record(d, pull)
      end
    end
  end
  table.sort(found, function(a, b)
    if a.lnum ~= b.lnum then
      return a.lnum < b.lnum
    end
    if a.col ~= b.col then
      return a.col < b.col
    end
    return tostring(a.code) < tostring(b.code)
  end)
  return found
end

local function buffer_lines(bufnr)
  return vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)
end

local function float_lines()
  for _, win in ipairs(vim.api.nvim_list_wins()) do
    if vim.api.nvim_win_get_config(win).relative ~= '' then
      return buffer_lines(vim.api.nvim_win_get_buf(win))
    end
  end
end

local function close_floats()
  for _, win in ipairs(vim.api.nvim_list_wins()) do
    if vim.api.nvim_win_get_config(win).relative ~= '' then
      vim.api.nvim_win_close(win, true)
    end
  end
end

--- Twist actions for the given diagnostics (asked directly, to pick a safe target).
local function twist_edits(bufnr, client, diagnostics)
  local params = vim.lsp.util.make_range_params(0, client.offset_encoding)
  params.context = {
    diagnostics = vim.tbl_map(function(d)
      return d.user_data.lsp
    end, diagnostics),
    only = { 'quickfix' },
  }
  local response = client:request_sync('textDocument/codeAction', params, 5000, bufnr)
  local edits, seen = {}, {}
  for _, action in ipairs(response and response.result or {}) do
    if vim.startswith(action.title, 'Apply Twist suggestion') then
      local key = vim.inspect(action.edit)
      if not seen[key] then
        seen[key] = true
        edits[#edits + 1] = { title = action.title, edit = action.edit }
      end
    end
  end
  return edits
end

local function main()
  local server = assert(os.getenv('SKEPTIC_NVIM_SERVER'), 'SKEPTIC_NVIM_SERVER not set')
  local draft = assert(os.getenv('SKEPTIC_NVIM_DRAFT'), 'SKEPTIC_NVIM_DRAFT not set')
  local encoding = os.getenv('SKEPTIC_NVIM_ENCODING')
  local phases = os.getenv('SKEPTIC_NVIM_PHASES') or 'all'
  local target = tonumber(os.getenv('SKEPTIC_NVIM_TARGET') or '')
  out.nvim = tostring(vim.version())

  -- -u NONE turns filetype detection off; a user's config has it on.
  vim.cmd('filetype on')
  vim.api.nvim_create_autocmd('User', {
    pattern = 'SkepticStatus',
    callback = function(args)
      out.statuses[#out.statuses + 1] = args.data.status
    end,
  })

  local opts = {
    cmd = { server, 'serve' },
    api_key = os.getenv('SKEPTIC_NVIM_KEY'),
    settings = {
      engine = 'offline',
      cacheDir = draft .. '/../cache', -- user-only: must reach the server via init_options
      severity = { mirror = 'hint' },
    },
  }
  opts.capabilities = {}
  if encoding then
    opts.capabilities.general = { positionEncodings = { encoding } }
  end
  if os.getenv('SKEPTIC_NVIM_NO_REFRESH') then
    -- As stock Neovim 0.11: it pulls, but cannot be asked to pull again.
    opts.capabilities.workspace = { diagnostics = { refreshSupport = false } }
  end
  require('skeptic').setup(opts)
  out.command_defined = vim.fn.exists(':Skeptic') == 2
  out.completion = vim.fn.getcompletion('Skeptic ', 'cmdline')
  out.completion_dismiss = vim.fn.getcompletion('Skeptic dismiss ', 'cmdline')

  -- 1. Open an \input-ed file of the multi-file draft; wait for its objections.
  local intro = draft .. '/sections/intro.tex'
  vim.cmd.edit(vim.fn.fnameescape(intro))
  local bufnr = vim.api.nvim_get_current_buf()
  out.filetype = vim.bo[bufnr].filetype
  local client
  local attached = vim.wait(TIMEOUT, function()
    client = require('skeptic.lsp').clients(bufnr)[1]
    return client ~= nil and client.initialized
  end, 20)
  assert(attached, 'the skeptic client did not attach to ' .. intro)
  mark('attached')
  out.client = {
    name = client.name,
    root_dir = client.root_dir,
    offset_encoding = client.offset_encoding,
    settings = client.settings,
    pull = client:supports_method('textDocument/diagnostic'),
  }
  local got = vim.wait(TIMEOUT, function()
    return #skeptic_diagnostics(bufnr, client) > 0
  end, 20)
  assert(got, 'no skeptic diagnostics on ' .. intro .. ' within 30 s')
  vim.wait(300) -- let a second batch (if any) land
  mark('diagnostics')
  out.intro_lines = buffer_lines(bufnr)
  out.diagnostics = skeptic_diagnostics(bufnr, client)

  -- Files of the project that are not open get pushed diagnostics.
  local main_buf = vim.fn.bufnr(draft .. '/main.tex')
  vim.wait(5000, function()
    main_buf = vim.fn.bufnr(draft .. '/main.tex')
    return main_buf ~= -1 and #skeptic_diagnostics(main_buf, client) > 0
  end, 20)
  out.main_diagnostics = main_buf ~= -1 and skeptic_diagnostics(main_buf, client) or {}

  -- 2. The target: an objection on the given line with a twist. When several objections
  --    under the cursor have one, :Skeptic twist offers a menu (the stub takes the first).
  local chosen, edits
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    if d.source == 'skeptic' and (target == nil or d.lnum == target) then
      vim.api.nvim_win_set_cursor(0, { d.lnum + 1, d.col })
      local under = require('skeptic').diagnostics_at_cursor(bufnr, client)
      local found = twist_edits(bufnr, client, under)
      if #found > 0 then
        chosen, edits = d, found
        break
      end
    end
  end
  assert(chosen, 'no objection with a twist on the target line')
  out.target = diag_record(chosen, nil)
  out.twist_edits = edits
  out.cursor = vim.api.nvim_win_get_cursor(0)

  -- 3. The float of vim.diagnostic shows persona and kind.
  vim.diagnostic.open_float({ scope = 'cursor' })
  out.float = float_lines()
  close_floats()

  -- 4. Hover: the full critique.
  local hover = client:request_sync(
    'textDocument/hover',
    vim.lsp.util.make_position_params(0, client.offset_encoding),
    5000,
    bufnr
  )
  local contents = hover and hover.result and hover.result.contents
  out.hover = type(contents) == 'table' and contents.value or contents

  -- 5. :Skeptic twist applies the action through vim.lsp.buf.code_action.
  out.before_twist = buffer_lines(bufnr)
  local tick = vim.b[bufnr].changedtick
  vim.cmd('Skeptic twist')
  local applied = vim.wait(10000, function()
    return vim.b[bufnr].changedtick ~= tick
  end, 20)
  out.twist_applied = applied
  out.after_twist = buffer_lines(bufnr)
  mark('twist')

  if phases == 'diagnostics' then
    return
  end

  -- 6. :Skeptic personas: the server's list (scores, selected) and the float.
  local personas
  require('skeptic').personas(bufnr, function(result)
    personas = result
  end)
  vim.wait(10000, function()
    return personas ~= nil
  end, 20)
  out.personas = personas
  vim.cmd('Skeptic personas')
  vim.wait(10000, function()
    return float_lines() ~= nil
  end, 20)
  out.personas_float = float_lines()
  close_floats()
  mark('personas')

  -- 7. :Skeptic dismiss on another objection: it leaves the buffer (the server asks for a
  --    re-pull through workspace/diagnostic/refresh).
  vim.wait(5000, function() -- the edit re-ran the offline critique
    local s = out.statuses[#out.statuses]
    return s ~= nil and s.state == 'idle' and #skeptic_diagnostics(bufnr, client) > 0
  end, 20)
  vim.wait(500)
  local victim
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    if d.source == 'skeptic' and type(d.user_data.lsp.data) == 'table' then
      victim = d
      break
    end
  end
  if victim then
    vim.api.nvim_win_set_cursor(0, { victim.lnum + 1, victim.col })
    local under = require('skeptic').diagnostics_at_cursor(bufnr, client)
    local menus = #out.menu_choices
    vim.cmd('Skeptic dismiss')
    -- One objection under the cursor: it is dismissed; several: the menu's first.
    local fingerprint = under[1].user_data.lsp.data.fingerprint
    vim.wait(5000, function()
      return #under == 1 or #out.menu_choices > menus
    end, 20)
    if #under > 1 and #out.menu_choices > menus then
      local command = out.menu_choices[#out.menu_choices].command
      fingerprint = command and command.arguments and command.arguments[1].fingerprint
    end
    out.dismissed = { fingerprint = fingerprint, under = #under }
    out.dismiss_gone = vim.wait(10000, function()
      for _, d in ipairs(skeptic_diagnostics(bufnr, client)) do
        if d.fingerprint == fingerprint then
          return false
        end
      end
      return true
    end, 20)
    out.after_dismiss = skeptic_diagnostics(bufnr, client)
  end
  mark('dismiss')

  -- 8. :Skeptic critique: a full run, reported through skeptic/status.
  local before = #out.statuses
  vim.cmd('Skeptic critique')
  out.critique_status = vim.wait(15000, function()
    local s = out.statuses[#out.statuses]
    return #out.statuses > before and s.state == 'idle'
  end, 20)
  out.statusline = require('skeptic').status(bufnr)
  mark('critique')

  -- 9. :checkhealth skeptic (and vim.lsp, which prints configs: the key must not be there).
  vim.cmd('checkhealth skeptic')
  out.health = buffer_lines(0)
  vim.cmd('checkhealth vim.lsp')
  out.health_lsp = buffer_lines(0)
  mark('health')

  out.messages = vim.api.nvim_exec2('messages', { output = true }).output
  local log_file = io.open(vim.lsp.get_log_path(), 'r')
  out.lsp_log = log_file and log_file:read('*a') or ''
  if log_file then
    log_file:close()
  end
end

local ok, err = xpcall(main, debug.traceback)
out.ok = ok
out.error = not ok and tostring(err) or nil
mark('total')
local write_ok, write_err = pcall(write)
if not write_ok then
  io.stderr:write('could not write the report: ' .. tostring(write_err) .. '\n')
end
for _, client in ipairs(vim.lsp.get_clients()) do
  client:stop(true)
end
vim.cmd((ok and write_ok) and 'qall!' or 'cquit! 1')
