-- Unit checks of the Neovim plugin's pure parts, for tests/e2e/test_neovim.py.
--
-- Run as: nvim --headless -u NONE -i NONE -n --cmd 'set rtp^=<clients/neovim>' -l unit.lua
-- Environment: SKEPTIC_NVIM_OUT (JSON report), SKEPTIC_NVIM_DOC (a scratch copy of doc/).

local out = {}

local function try(f, ...)
  local ok, result = pcall(f, ...)
  return { ok = ok, result = ok and result or nil, error = not ok and tostring(result) or nil }
end

local function main()
  local cfg = require('skeptic.config')
  out.specs = cfg.specs

  -- Validation: good options, and one bad field at a time (the message names the field).
  out.valid = try(function()
    local options, problems = cfg.resolve({
      settings = {
        engine = 'offline',
        cacheDir = '/tmp/c',
        anthropic = { model = 'm', maxTokens = 512 },
        severity = { mirror = 'off' },
        personas = { 'kv-cache-memory' },
      },
      api_key = 'sk-unit-secret',
    })
    return { options = options, problems = problems }
  end)
  out.bad = {}
  for name, opts in pairs({
    cmd_string = { cmd = 'skeptic serve' },
    cmd_empty = { cmd = {} },
    filetypes = { filetypes = 'tex' },
    api_key_true = { api_key = true },
    enable = { enable = 'yes' },
    unknown = { colour = 'red' },
  }) do
    out.bad[name] = try(cfg.resolve, opts)
  end
  out.setting_problems = try(function()
    local _, problems = cfg.resolve({
      settings = { engin = 'offline', maxPersonas = 'three', anthropic = { modle = 'x' } },
    })
    return problems
  end)

  -- Scopes: user-only settings go to init_options.settings, the rest to settings.skeptic.
  local user, resource = cfg.split({
    engine = 'offline',
    personasDir = '~/p',
    cacheDir = '/c',
    allowOutsideWorkspace = true,
    anthropic = { model = 'm', baseUrl = 'http://x', effort = 'low' },
    ['anthropic.maxRetries'] = 1,
  })
  out.split = { user = user, resource = resource }
  out.split_json = { user = vim.json.encode(user), resource = vim.json.encode(cfg.split({})) }

  -- before_init on a config set up without setup(): the same split, plus key and client.
  vim.env.ANTHROPIC_API_KEY = 'sk-env-secret'
  cfg.set_api_key(nil)
  local params = { initializationOptions = { client = 'neovim', settings = { engine = 'auto' } } }
  local config = { settings = { skeptic = { engine = 'offline', anthropic = { model = 'm2' } } } }
  require('skeptic.lsp').before_init(params, config)
  out.before_init = { params = params.initializationOptions, settings = config.settings }
  cfg.set_api_key(false)
  out.key_disabled = { cfg.api_key() }
  cfg.set_api_key(function()
    return ' sk-fn-secret '
  end)
  out.key_function = { cfg.api_key() }
  out.key_source_function = cfg.api_key_source()
  vim.env.ANTHROPIC_API_KEY = nil
  cfg.set_api_key(nil)
  out.key_none = { cfg.api_key() }

  local lsp = require('skeptic.lsp')
  out.language_ids = {
    tex = lsp.language_id(0, 'tex'),
    plaintex = lsp.language_id(0, 'plaintex'),
    latex = lsp.language_id(0, 'latex'),
  }

  -- The lsp/ config resolves from the runtimepath alone (no setup(), no nvim-lspconfig).
  local resolved = vim.lsp.config.skeptic
  out.lsp_config = {
    cmd = resolved.cmd,
    filetypes = resolved.filetypes,
    root_markers = resolved.root_markers,
    refresh = vim.tbl_get(resolved, 'capabilities', 'workspace', 'diagnostics', 'refreshSupport'),
    handlers = vim.tbl_keys(resolved.handlers or {}),
  }

  -- :Skeptic completion.
  local commands = require('skeptic.commands')
  out.complete = {
    empty = commands.complete('', 'Skeptic '),
    partial = commands.complete('di', 'Skeptic di'),
    dismiss = commands.complete('', 'Skeptic dismiss '),
  }

  -- The help file: tags generate without errors.
  local doc = os.getenv('SKEPTIC_NVIM_DOC')
  if doc then
    out.helptags = try(function()
      vim.cmd.helptags(vim.fn.fnameescape(doc))
      local file = assert(io.open(doc .. '/tags'))
      local tags = {}
      for line in file:lines() do
        tags[#tags + 1] = vim.split(line, '\t')[1]
      end
      file:close()
      return tags
    end)
  end
end

-- -u NONE skips plugin/: source it as a plugin manager would, and record what it loaded.
vim.cmd.runtime('plugin/skeptic.lua')
local loaded_at_start = vim.tbl_filter(function(name)
  return vim.startswith(name, 'skeptic')
end, vim.tbl_keys(package.loaded))

local ok, err = xpcall(main, debug.traceback)
out.loaded_at_start = loaded_at_start
out.command_defined = vim.fn.exists(':Skeptic') == 2
out.ok = ok
out.error = not ok and tostring(err) or nil
local file = assert(io.open(assert(os.getenv('SKEPTIC_NVIM_OUT')), 'w'))
file:write(vim.json.encode(out))
file:close()
vim.cmd(ok and 'qall!' or 'cquit! 1')
