--- Options of `require('skeptic').setup()`: defaults, validation, and the split of the
--- `skeptic.*` settings between `init_options.settings` and `settings.skeptic`.
---
--- Pure: no side effects beyond the module's own state, so it can be tested with `nvim -l`.

local M = {}

---@alias skeptic.ApiKey string|fun():string?|false

---@class skeptic.Config
--- Server command (default `{ 'skeptic', 'serve' }`).
---@field cmd? string[]|fun(dispatchers: vim.lsp.rpc.Dispatchers): vim.lsp.rpc.PublicClient
--- Filetypes to attach to (default `{ 'tex', 'plaintex', 'latex' }`).
---@field filetypes? string[]
--- Project root markers, in priority order.
---@field root_markers? string[]
--- The `skeptic.*` server settings, nested and camelCase:
--- `{ engine = 'offline', anthropic = { model = '...' } }`.
---@field settings? table<string, any>
--- Anthropic API key, a function returning it, or `false` to never hand one over.
--- Default: `$ANTHROPIC_API_KEY`.
---@field api_key? skeptic.ApiKey
--- Call `vim.lsp.enable('skeptic')` (default `true`).
---@field enable? boolean
--- Called when the server attaches to a buffer.
---@field on_attach? fun(client: vim.lsp.Client, bufnr: integer)
--- Extra client capabilities (merged over Neovim's).
---@field capabilities? lsp.ClientCapabilities

---@class skeptic.Spec
---@field key string Dotted, camelCase key below `skeptic.` (`anthropic.model`).
---@field type 'string'|'number'|'boolean'|'list'|'map'
--- `user`: only honoured from `initializationOptions`.
---@field scope 'user'|'resource'

--- Every server setting (mirror of `skeptic.settings.SPECS`; a test keeps the two equal).
---@type skeptic.Spec[]
M.specs = {
  { key = 'engine', type = 'string', scope = 'resource' },
  { key = 'personas', type = 'list', scope = 'resource' },
  { key = 'maxPersonas', type = 'number', scope = 'resource' },
  { key = 'personasDir', type = 'string', scope = 'user' },
  { key = 'severity', type = 'map', scope = 'resource' },
  { key = 'debounceMs', type = 'number', scope = 'resource' },
  { key = 'twistStyle', type = 'string', scope = 'resource' },
  { key = 'cacheDir', type = 'string', scope = 'user' },
  { key = 'allowOutsideWorkspace', type = 'boolean', scope = 'user' },
  { key = 'maxFileBytes', type = 'number', scope = 'resource' },
  { key = 'dismissalsInProject', type = 'boolean', scope = 'resource' },
  { key = 'anthropic.model', type = 'string', scope = 'user' },
  { key = 'anthropic.maxTokens', type = 'number', scope = 'resource' },
  { key = 'anthropic.effort', type = 'string', scope = 'resource' },
  { key = 'anthropic.baseUrl', type = 'string', scope = 'user' },
  { key = 'anthropic.maxRequestsPerRun', type = 'number', scope = 'resource' },
  { key = 'anthropic.maxInputTokensPerRun', type = 'number', scope = 'resource' },
  { key = 'anthropic.concurrency', type = 'number', scope = 'resource' },
  { key = 'anthropic.timeoutSeconds', type = 'number', scope = 'resource' },
  { key = 'anthropic.maxRetries', type = 'number', scope = 'resource' },
}

---@type table<string, skeptic.Spec>
local by_key = {}
for _, spec in ipairs(M.specs) do
  by_key[spec.key] = spec
end

---@type skeptic.Config
M.defaults = {
  cmd = { 'skeptic', 'serve' },
  filetypes = { 'tex', 'plaintex', 'latex' },
  root_markers = { '.skeptic', '.latexmkrc', '.git' },
  settings = {},
  enable = true,
}

--- The options of the last `setup()` call, without the API key.
---@type skeptic.Config
M.options = vim.deepcopy(M.defaults)

--- Problems found in the last `setup()` call's settings (for `:checkhealth skeptic`).
---@type string[]
M.problems = {}

-- Kept out of every table a user (or `:checkhealth vim.lsp`) might print.
---@type skeptic.ApiKey?
local api_key_option = nil

---@param value any
---@param kind skeptic.Spec['type']
---@return boolean
local function has_type(value, kind)
  if kind == 'list' then
    return type(value) == 'table' and vim.islist(value)
  elseif kind == 'map' then
    return type(value) == 'table' and (next(value) == nil or not vim.islist(value))
  end
  return type(value) == kind
end

--- `{ anthropic = { model = 'm' } }` to `{ ['anthropic.model'] = 'm' }`; known keys (such as
--- `severity` and `personas`) stay whole. Dotted keys are accepted as they are.
---@param raw table
---@param prefix? string
---@param out? table<string, any>
---@return table<string, any>
function M.flatten(raw, prefix, out)
  out = out or {}
  prefix = prefix or ''
  for key, value in pairs(raw) do
    local full = prefix .. tostring(key)
    if type(value) == 'table' and not by_key[full] and not vim.islist(value) then
      M.flatten(value, full .. '.', out)
    else
      out[full] = value
    end
  end
  return out
end

--- `{ ['anthropic.model'] = 'm' }` back to `{ anthropic = { model = 'm' } }`.
---@param flat table<string, any>
---@return table
function M.nest(flat)
  local out = vim.empty_dict()
  for key, value in pairs(flat) do
    local node = out
    local parts = vim.split(key, '.', { plain = true })
    for i = 1, #parts - 1 do
      node[parts[i]] = node[parts[i]] or vim.empty_dict()
      node = node[parts[i]]
    end
    node[parts[#parts]] = value
  end
  return out
end

--- Check settings against the specs. Unknown keys and values of the wrong type are left out
--- and reported (the server would also report and ignore them).
---@param settings table?
---@return table<string, any> flat The valid settings, flat.
---@return string[] problems One message per problem, naming the setting.
function M.check_settings(settings)
  local flat, problems = {}, {}
  if settings == nil then
    return flat, problems
  end
  if type(settings) ~= 'table' then
    return flat, { 'settings: expected a table, got ' .. type(settings) }
  end
  for key, value in pairs(M.flatten(settings)) do
    local spec = by_key[key]
    if not spec then
      problems[#problems + 1] = ('settings.%s: unknown setting'):format(key)
    elseif not has_type(value, spec.type) then
      problems[#problems + 1] = ('settings.%s: expected %s, got %s'):format(
        key,
        spec.type,
        type(value)
      )
    else
      flat[key] = value
    end
  end
  table.sort(problems)
  return flat, problems
end

--- Split settings by scope: user-only settings go to `initializationOptions.settings` (the
--- server ignores them in `workspace/configuration`), the others to `settings.skeptic`.
---@param settings table? nested or flat settings
---@return table user nested settings for `init_options.settings`
---@return table resource nested settings for `settings.skeptic`
function M.split(settings)
  local user, resource = {}, {}
  for key, value in pairs(M.flatten(settings or {})) do
    local spec = by_key[key]
    if spec and spec.scope == 'user' then
      user[key] = value
    else
      resource[key] = value
    end
  end
  return M.nest(user), M.nest(resource)
end

---@param path string
---@param value any
---@param types string|string[]
---@param optional boolean
local function validate(path, value, types, optional)
  local ok, err = pcall(vim.validate, path, value, types, optional)
  if not ok then
    error(err, 0)
  end
end

--- Merge `opts` over the defaults and validate the result; raises a message naming the
--- offending field (`setup: cmd: expected table, got string`).
---@param opts skeptic.Config?
---@return skeptic.Config options merged options (the API key left out)
---@return string[] problems problems with individual settings (not fatal)
function M.resolve(opts)
  local ok, result = pcall(function()
    validate('opts', opts, 'table', true)
    opts = opts or {}
    validate('cmd', opts.cmd, { 'table', 'function' }, true)
    validate('filetypes', opts.filetypes, 'table', true)
    validate('root_markers', opts.root_markers, 'table', true)
    validate('settings', opts.settings, 'table', true)
    validate('enable', opts.enable, 'boolean', true)
    validate('on_attach', opts.on_attach, 'function', true)
    validate('capabilities', opts.capabilities, 'table', true)
    if opts.api_key ~= nil and opts.api_key ~= false then
      validate('api_key', opts.api_key, { 'string', 'function' }, false)
    end
    if type(opts.cmd) == 'table' then
      for i, part in ipairs(opts.cmd) do
        validate(('cmd[%d]'):format(i), part, 'string', false)
      end
      if #opts.cmd == 0 then
        error('cmd: expected a non-empty list', 0)
      end
    end
    local known = {
      cmd = true,
      filetypes = true,
      root_markers = true,
      settings = true,
      api_key = true,
      enable = true,
      on_attach = true,
      capabilities = true,
    }
    for key in pairs(opts) do
      if not known[key] then
        error(('%s: unknown option'):format(tostring(key)), 0)
      end
    end
    return opts
  end)
  if not ok then
    error('setup: ' .. tostring(result), 0)
  end
  local given = vim.deepcopy(result)
  given.api_key = nil
  local merged = vim.tbl_extend('force', vim.deepcopy(M.defaults), given)
  local flat, problems = M.check_settings(merged.settings)
  merged.settings = M.nest(flat)
  return merged, problems
end

--- Remember the API key option of `setup()` (never stored in `M.options`).
---@param value skeptic.ApiKey?
function M.set_api_key(value)
  api_key_option = value
end

--- The API key to hand to the server, and where it came from. Never log the key.
---@return string? key
---@return string source `setup`, `ANTHROPIC_API_KEY`, `disabled` or `none`
function M.api_key()
  local option = api_key_option
  if option == false then
    return nil, 'disabled'
  end
  if type(option) == 'function' then
    local ok, value = pcall(option)
    if ok and type(value) == 'string' and vim.trim(value) ~= '' then
      return vim.trim(value), 'setup'
    end
    return nil, 'none'
  end
  if type(option) == 'string' and vim.trim(option) ~= '' then
    return vim.trim(option), 'setup'
  end
  local env = vim.env.ANTHROPIC_API_KEY
  if type(env) == 'string' and vim.trim(env) ~= '' then
    return vim.trim(env), 'ANTHROPIC_API_KEY'
  end
  return nil, 'none'
end

--- Where a key would come from, without evaluating a key function (for the health check).
---@return 'setup'|'setup (function)'|'ANTHROPIC_API_KEY'|'ANTHROPIC_AUTH_TOKEN'|'disabled'|'none'
function M.api_key_source()
  local option = api_key_option
  if option == false then
    return 'disabled'
  elseif type(option) == 'function' then
    return 'setup (function)'
  elseif type(option) == 'string' and vim.trim(option) ~= '' then
    return 'setup'
  elseif vim.trim(vim.env.ANTHROPIC_API_KEY or '') ~= '' then
    return 'ANTHROPIC_API_KEY'
  elseif vim.trim(vim.env.ANTHROPIC_AUTH_TOKEN or '') ~= '' then
    return 'ANTHROPIC_AUTH_TOKEN'
  end
  return 'none'
end

return M
