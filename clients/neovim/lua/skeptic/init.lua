--- Skeptic for Neovim: the public API.
---
--- The language server configuration itself is `lsp/skeptic.lua`; `setup()` is optional and
--- only adds to it (`vim.lsp.config`) and enables it (`vim.lsp.enable`).

local M = {}

local api = vim.api

---@param message string
---@param level? integer
local function notify(message, level)
  vim.notify('Skeptic: ' .. message, level or vim.log.levels.INFO, { title = 'Skeptic' })
end

--- Configure and enable the `skeptic` language server. Optional: without it,
--- `vim.lsp.enable('skeptic')` uses `lsp/skeptic.lua` as it is.
---
--- ```lua
--- require('skeptic').setup({
---   settings = { engine = 'offline', severity = { mirror = 'off' } },
--- })
--- ```
---@param opts? skeptic.Config
function M.setup(opts)
  local cfg = require('skeptic.config')
  local ok, options, problems = pcall(cfg.resolve, opts)
  if not ok then
    notify(tostring(options), vim.log.levels.ERROR)
    return
  end
  cfg.options, cfg.problems = options, problems
  cfg.set_api_key(opts and opts.api_key)
  for _, problem in ipairs(problems) do
    notify(problem .. ' (left out)', vim.log.levels.WARN)
  end

  local user, resource = cfg.split(options.settings)
  ---@type vim.lsp.Config
  local lsp_config = {
    cmd = options.cmd,
    filetypes = options.filetypes,
    root_markers = options.root_markers,
    settings = { skeptic = resource },
    init_options = { settings = user, client = 'neovim' },
    on_attach = options.on_attach,
    capabilities = options.capabilities,
  }
  vim.lsp.config('skeptic', lsp_config)
  if options.enable then
    vim.lsp.enable('skeptic')
  end
  -- Plugin managers that add this folder to 'runtimepath' late (lazy.nvim with a
  -- subdirectory) do not source plugin/: define :Skeptic here too.
  if vim.g.loaded_skeptic == nil then
    vim.cmd.runtime('plugin/skeptic.lua')
  end
end

--- The last `skeptic/status` of the server attached to a buffer, if any.
---@param bufnr? integer default: current buffer
---@return skeptic.Status?
function M.status_data(bufnr)
  local lsp = require('skeptic.lsp')
  for _, client in ipairs(lsp.clients(bufnr or api.nvim_get_current_buf())) do
    local status = lsp.statuses[client.id]
    if status then
      return status
    end
  end
  return nil
end

--- A short status for the statusline: `Skeptic: 12 (offline)`, `Skeptic: <what runs>`,
--- `Skeptic: error`, `Skeptic` (attached, no status yet) or `''` (not attached).
---
--- ```lua
--- vim.o.statusline = "%f %= %{v:lua.require'skeptic'.status()}"
--- ```
---@param bufnr? integer default: current buffer
---@return string
function M.status(bufnr)
  bufnr = bufnr or api.nvim_get_current_buf()
  local lsp = require('skeptic.lsp')
  if #lsp.clients(bufnr) == 0 then
    return ''
  end
  local status = M.status_data(bufnr)
  if not status then
    return 'Skeptic'
  end
  local message = type(status.message) == 'string' and status.message or nil
  if status.state == 'running' then
    return 'Skeptic: ' .. (message or 'running')
  elseif status.state == 'error' then
    return 'Skeptic: error'
  end
  local count = type(status.objections) == 'number' and status.objections or 0
  local engine = type(status.engine) == 'string' and status.engine or '?'
  return ('Skeptic: %d (%s)'):format(count, engine)
end

--- The Skeptic client of a buffer, or a warning.
---@param bufnr integer
---@return vim.lsp.Client?
local function attached(bufnr)
  local client = require('skeptic.lsp').clients(bufnr)[1]
  if not client then
    notify('not attached to this buffer (see :checkhealth skeptic)', vim.log.levels.WARN)
  end
  return client
end

--- Skeptic diagnostics under the cursor (else on the cursor line), as Neovim diagnostics.
---@param bufnr integer
---@param client vim.lsp.Client
---@return vim.Diagnostic[]
function M.diagnostics_at_cursor(bufnr, client)
  local cursor = api.nvim_win_get_cursor(0)
  local row, col = cursor[1] - 1, cursor[2]
  local under, on_line = {}, {}
  for _, pull in ipairs({ true, false }) do
    local namespace = vim.lsp.diagnostic.get_namespace(client.id, pull)
    for _, d in ipairs(vim.diagnostic.get(bufnr, { namespace = namespace })) do
      local lsp_d = d.user_data and d.user_data.lsp
      if lsp_d and lsp_d.source == 'skeptic' and type(lsp_d.data) == 'table' then
        local end_lnum, end_col = d.end_lnum or d.lnum, d.end_col or d.col
        local after_start = row > d.lnum or (row == d.lnum and col >= d.col)
        local before_end = row < end_lnum or (row == end_lnum and col < end_col)
        if after_start and before_end then
          under[#under + 1] = d
        elseif row >= d.lnum and row <= end_lnum then
          on_line[#on_line + 1] = d
        end
      end
    end
  end
  return #under > 0 and under or on_line
end

---@param diagnostics vim.Diagnostic[]
---@return lsp.Diagnostic[]
local function to_lsp(diagnostics)
  return vim.tbl_map(function(d)
    return d.user_data.lsp
  end, diagnostics)
end

--- Run a Skeptic quick fix for the objection(s) under the cursor: applied at once when there
--- is one, else chosen from a menu (the server gives every entry a distinct title).
---@param accept fun(action: lsp.CodeAction): string? key for actions to keep (nil: drop)
local function quick_fix(accept)
  local bufnr = api.nvim_get_current_buf()
  local client = attached(bufnr)
  if not client then
    return
  end
  local diagnostics = M.diagnostics_at_cursor(bufnr, client)
  if #diagnostics == 0 then
    notify('no objection under the cursor')
    return
  end
  local seen = {}
  vim.lsp.buf.code_action({
    context = {
      diagnostics = to_lsp(diagnostics),
      only = { 'quickfix' },
      triggerKind = vim.lsp.protocol.CodeActionTriggerKind.Invoked,
    },
    filter = function(action)
      if type(action.title) ~= 'string' or action.command == nil and action.edit == nil then
        return false
      end
      local key = accept(action)
      if key == nil or seen[key] then
        return false
      end
      seen[key] = true
      return true
    end,
    apply = true,
  })
end

--- Apply the Twist suggestion of the objection under the cursor (`:Skeptic twist`).
function M.twist()
  quick_fix(function(action)
    if vim.startswith(action.title, 'Apply Twist suggestion') then
      -- Several objections of one persona often share a twist: offer it once.
      return action.title .. '\0' .. vim.inspect(action.edit)
    end
  end)
end

--- Dismiss the objection under the cursor (`:Skeptic dismiss`), or with `{ kind = true }`
--- every objection of its kind in this file (`:Skeptic dismiss kind`).
---@param opts? { kind?: boolean }
function M.dismiss(opts)
  local kind = opts and opts.kind
  quick_fix(function(action)
    if kind then
      if action.title:match('^Dismiss .+ objections in this file') then
        return vim.inspect(action.command)
      end
    elseif vim.startswith(action.title, 'Dismiss this objection') then
      return vim.inspect(action.command)
    end
  end)
end

--- Critique the buffer's project now, with the full engine (`:Skeptic critique`).
---@param bufnr? integer
function M.critique(bufnr)
  bufnr = bufnr or api.nvim_get_current_buf()
  local client = attached(bufnr)
  if not client then
    return
  end
  client:exec_cmd({
    title = 'Skeptic: critique',
    command = 'skeptic.critique',
    arguments = { vim.uri_from_bufnr(bufnr) },
  }, { bufnr = bufnr })
  notify('critique started')
end

---@class skeptic.Persona
---@field id string
---@field name string
---@field title string
---@field score number|vim.NIL
---@field selected boolean
---@field source string
---@field warnings string[]

--- Lines describing the personas, for a float.
---@param personas skeptic.Persona[]
---@return string[]
function M.persona_lines(personas)
  local lines = { '# Skeptic personas', '' }
  for _, p in ipairs(personas) do
    local score = type(p.score) == 'number' and (' · %.2f'):format(p.score) or ''
    local title = type(p.title) == 'string' and p.title ~= '' and (', ' .. p.title) or ''
    lines[#lines + 1] = ('- [%s] **%s**%s · `%s`%s'):format(
      p.selected == true and 'x' or ' ',
      tostring(p.name),
      title,
      tostring(p.id),
      score
    )
    for _, warning in ipairs(type(p.warnings) == 'table' and p.warnings or {}) do
      lines[#lines + 1] = '  - warning: ' .. tostring(warning)
    end
  end
  if #personas == 0 then
    lines[#lines + 1] = 'No personas.'
  end
  return lines
end

--- Ask the server for the personas of the buffer's project (`skeptic.showPersonas`): their
--- relevance score and whether they were selected. Shown in a float unless `on_result` is
--- given.
---@param bufnr? integer
---@param on_result? fun(personas: skeptic.Persona[])
function M.personas(bufnr, on_result)
  bufnr = bufnr or api.nvim_get_current_buf()
  local client = attached(bufnr)
  if not client then
    return
  end
  client:request('workspace/executeCommand', {
    command = 'skeptic.showPersonas',
    arguments = { vim.uri_from_bufnr(bufnr) },
  }, function(err, result)
    if err then
      notify('showPersonas failed: ' .. tostring(err.message), vim.log.levels.ERROR)
      return
    end
    local personas = type(result) == 'table' and result or {}
    if on_result then
      on_result(personas)
      return
    end
    vim.lsp.util.open_floating_preview(M.persona_lines(personas), 'markdown', {
      border = 'rounded',
      focus_id = 'skeptic_personas',
      title = ' Skeptic ',
    })
  end, bufnr)
end

--- Open the LSP log, where the server's messages and errors go (`:Skeptic log`).
function M.log()
  vim.cmd.tabnew(vim.fn.fnameescape(vim.lsp.get_log_path()))
end

return M
