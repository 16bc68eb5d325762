--- What `lsp/skeptic.lua` plugs into the client: the language id, `before_init` (settings
--- and API key), and handlers for the server's custom messages.

local M = {}

M.name = 'skeptic'

---@class skeptic.Status
---@field engine 'offline'|'anthropic'
---@field state 'idle'|'running'|'error'
---@field message? string
---@field objections? integer

--- Last `skeptic/status` of each client, by client id.
---@type table<integer, skeptic.Status>
M.statuses = {}

--- Filetype to LSP language id: Neovim sends the filetype, VS Code sends `latex`.
---@param _ integer buffer
---@param filetype string
---@return string
function M.language_id(_, filetype)
  if filetype == 'tex' or filetype == 'plaintex' then
    return 'latex'
  end
  return filetype
end

--- Move the user-only settings to `initializationOptions.settings` and add the API key and
--- the client name there. Runs once per server start; the config given is the client's own
--- copy, and `config.settings` is the table Neovim answers `workspace/configuration` from.
---@param params lsp.InitializeParams
---@param config vim.lsp.ClientConfig
function M.before_init(params, config)
  local cfg = require('skeptic.config')
  config.settings = config.settings or {}
  local section = config.settings.skeptic
  local user, resource = cfg.split(type(section) == 'table' and section or {})
  config.settings.skeptic = resource

  local given = params.initializationOptions
  local init = vim.deepcopy(type(given) == 'table' and given or {})
  local init_settings = type(init.settings) == 'table' and init.settings or {}
  init.settings =
    cfg.nest(vim.tbl_extend('force', cfg.flatten(init_settings), cfg.flatten(user)))
  init.client = init.client or 'neovim'
  if init.apiKey == nil then
    -- Set here, not in the config: `:checkhealth vim.lsp` prints configs in full.
    init.apiKey = cfg.api_key()
  end
  params.initializationOptions = init
end

--- Pull the diagnostics of one buffer, or of every buffer the client is attached to.
---@param client vim.lsp.Client
---@param bufnr? integer
function M.pull(client, bufnr)
  if not client:supports_method('textDocument/diagnostic') then
    return
  end
  local buffers = bufnr and { [bufnr] = true } or client.attached_buffers
  for buf in pairs(buffers) do
    if vim.api.nvim_buf_is_loaded(buf) then
      client:request('textDocument/diagnostic', {
        textDocument = { uri = vim.uri_from_bufnr(buf) },
      }, nil, buf)
    end
  end
end

---@param lines string[]
---@param bufnr integer
---@return string
local function buffer_text(lines, bufnr)
  local text = table.concat(lines, '\n')
  if vim.bo[bufnr].eol or (vim.bo[bufnr].fixeol and not vim.bo[bufnr].binary) then
    text = text .. '\n'
  end
  return text
end

---@type table<string, lsp.Handler>
M.handlers = {
  --- `skeptic/status`: remember it (statusline, health), tell `User SkepticStatus`.
  ['skeptic/status'] = function(_, result, ctx)
    if type(result) ~= 'table' then
      return
    end
    M.statuses[ctx.client_id] = result
    vim.schedule(function()
      vim.api.nvim_exec_autocmds('User', {
        pattern = 'SkepticStatus',
        modeline = false,
        data = { client_id = ctx.client_id, status = result },
      })
      vim.cmd.redrawstatus({ bang = true })
    end)
  end,

  --- `workspace/diagnostic/refresh`: pull again for every attached buffer.
  ['workspace/diagnostic/refresh'] = function(_, _, ctx)
    local client = vim.lsp.get_client_by_id(ctx.client_id)
    if client then
      vim.schedule(function()
        M.pull(client)
      end)
    end
    return vim.NIL
  end,

  --- `skeptic/readFile`: the text of a loaded buffer (any scheme), else of a local file,
  --- else null. Only sent for documents whose scheme is not `file`.
  ['skeptic/readFile'] = function(_, params)
    local uri = type(params) == 'table' and params.uri or nil
    if type(uri) ~= 'string' then
      return vim.NIL
    end
    for _, bufnr in ipairs(vim.api.nvim_list_bufs()) do
      if vim.api.nvim_buf_is_loaded(bufnr) and vim.uri_from_bufnr(bufnr) == uri then
        return { text = buffer_text(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false), bufnr) }
      end
    end
    if vim.startswith(uri, 'file:') then
      local file = io.open(vim.uri_to_fname(uri), 'rb')
      if file then
        local text = file:read('*a')
        file:close()
        return { text = text }
      end
    end
    return vim.NIL
  end,
}

--- The running Skeptic clients (of one buffer, if given).
---@param bufnr? integer
---@return vim.lsp.Client[]
function M.clients(bufnr)
  return vim.lsp.get_clients({ name = M.name, bufnr = bufnr })
end

return M
