--- `:checkhealth skeptic`: Neovim version, the server executable and its version, the
--- engine, whether an API key is present (never its value) and the running clients.

local M = {}

local health = vim.health

--- The server command of the resolved `skeptic` config (lsp/skeptic.lua plus
--- `vim.lsp.config('skeptic', ...)` and `setup()`).
---@return vim.lsp.Config?
local function resolved()
  local ok, config = pcall(function()
    return vim.lsp.config.skeptic
  end)
  return ok and config or nil
end

--- `cmd` without its `serve ...` tail, plus `--version`.
---@param cmd string[]
---@return string[]
local function version_cmd(cmd)
  local out = {}
  for _, part in ipairs(cmd) do
    if part == 'serve' then
      break
    end
    out[#out + 1] = part
  end
  out[#out + 1] = '--version'
  return out
end

---@param config vim.lsp.Config
local function check_server(config)
  local cmd = config.cmd
  if type(cmd) == 'function' then
    health.info('cmd is a function (a custom RPC client): not checked')
    return
  end
  if type(cmd) ~= 'table' or type(cmd[1]) ~= 'string' then
    health.error('no server command: `cmd` of the skeptic config is missing')
    return
  end
  local path = vim.fn.exepath(cmd[1])
  if path == '' then
    health.error(('`%s` not found or not executable'):format(cmd[1]), {
      'Install the server (Python 3.11+): `pip install skeptic-lsp`, and put `skeptic` on $PATH',
      "or give its path: require('skeptic').setup({ cmd = { '/venv/bin/skeptic', 'serve' } })",
    })
    return
  end
  health.ok(('server executable: %s'):format(path))
  local argv = version_cmd(cmd)
  argv[1] = path
  local ok, result = pcall(function()
    return vim.system(argv, { text = true }):wait(10000)
  end)
  if not ok then
    health.error(('`%s` failed: %s'):format(table.concat(argv, ' '), tostring(result)))
    return
  end
  local output = vim.trim((result.stdout or '') .. (result.stderr or ''))
  if result.code == 0 and output:match('^skeptic ') then
    health.ok('version: ' .. output)
  else
    local shown = table.concat(argv, ' ')
    health.error(('`%s` exited with %s: %s'):format(shown, tostring(result.code), output), {
      'Run it in a shell to see what is wrong (a broken virtualenv, a missing dependency).',
    })
  end
end

---@param config vim.lsp.Config
---@return string
local function engine_setting(config)
  local settings = config.settings and config.settings.skeptic
  local init = config.init_options and config.init_options.settings
  for _, source in ipairs({ settings, init }) do
    if type(source) == 'table' and type(source.engine) == 'string' then
      return source.engine
    end
  end
  return 'auto'
end

---@param config vim.lsp.Config
local function check_engine(config)
  local cfg = require('skeptic.config')
  local source = cfg.api_key_source()
  local present = source ~= 'none' and source ~= 'disabled'
  if present then
    health.ok(('Anthropic API key: present (from %s)'):format(source))
  elseif source == 'disabled' then
    health.info('Anthropic API key: not handed over (api_key = false)')
  else
    health.info('Anthropic API key: absent (set $ANTHROPIC_API_KEY to use the Anthropic engine)')
  end
  local engine = engine_setting(config)
  if engine == 'offline' then
    health.ok('engine: offline (deterministic persona rules; nothing leaves your machine)')
  elseif engine == 'anthropic' and not present then
    health.warn('engine: anthropic, but no API key: you get the offline objections only', {
      'export ANTHROPIC_API_KEY=... before starting Neovim, or set engine = "offline"',
    })
  elseif engine == 'anthropic' or engine == 'auto' then
    local runs = present and 'Anthropic' or 'offline'
    health.ok(('engine: %s (%s on save and :Skeptic critique)'):format(engine, runs))
  else
    health.warn(('engine: unknown value %q (auto, offline or anthropic)'):format(engine))
  end
end

local function check_setup()
  local cfg = require('skeptic.config')
  for _, problem in ipairs(cfg.problems) do
    health.warn('setup(): ' .. problem .. ' (left out)')
  end
  if vim.lsp.is_enabled and not vim.lsp.is_enabled('skeptic') then
    health.warn('the skeptic config is not enabled', {
      "call require('skeptic').setup() or vim.lsp.enable('skeptic')",
    })
  else
    health.ok('enabled for filetypes: ' .. table.concat((resolved() or {}).filetypes or {}, ', '))
  end
  if vim.fn.exists('g:loaded_vimtex') == 1 then
    health.info('VimTeX is loaded: Skeptic attaches alongside it (filetype tex)')
  end
end

local function check_clients()
  local lsp = require('skeptic.lsp')
  local clients = lsp.clients()
  if #clients == 0 then
    health.info('no Skeptic server running (open a .tex file)')
    return
  end
  for _, client in ipairs(clients) do
    local buffers = vim.tbl_count(client.attached_buffers)
    health.ok(
      ('client %d: root %s, %d buffer(s), position encoding %s'):format(
        client.id,
        client.root_dir or '(none: single files)',
        buffers,
        client.offset_encoding
      )
    )
    local status = lsp.statuses[client.id]
    if status then
      local message = type(status.message) == 'string' and (': ' .. status.message) or ''
      local line = ('last status: engine %s, %s%s, %s objection(s)'):format(
        tostring(status.engine),
        tostring(status.state),
        message,
        tostring(status.objections)
      )
      if status.state == 'error' then
        health.warn(line, { 'See :Skeptic log' })
      else
        health.ok(line)
      end
    end
  end
end

function M.check()
  health.start('skeptic: Neovim')
  if vim.fn.has('nvim-0.11') == 1 then
    health.ok('Neovim ' .. tostring(vim.version()))
  else
    health.error('Neovim 0.11 or newer is needed (vim.lsp.config, vim.lsp.enable)')
    return
  end

  health.start('skeptic: server')
  local config = resolved()
  if not config then
    health.error('no `skeptic` LSP config found: is clients/neovim on the runtimepath?')
    return
  end
  check_server(config)

  health.start('skeptic: configuration')
  check_setup()
  check_engine(config)

  health.start('skeptic: running clients')
  check_clients()
end

return M
