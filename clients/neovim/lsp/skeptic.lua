---@brief
---
--- https://github.com/skeptic-lsp/skeptic
---
--- Skeptic critiques LaTeX research drafts the way a skeptical senior reviewer would: each
--- objection is a diagnostic on the exact sentence it is about, with the persona's name in
--- the message and the objection kind as the diagnostic code.
---
--- Install the server into a Python 3.11+ environment:
--- ```sh
--- pip install skeptic-lsp
--- ```
---
--- Server settings (`skeptic.*`, see docs/reference/settings.md) go under `settings.skeptic`.
--- The user-only ones (`personasDir`, `cacheDir`, `allowOutsideWorkspace`, `anthropic.model`,
--- `anthropic.baseUrl`) are moved to `init_options.settings` when the server starts, because
--- the server ignores them in `workspace/configuration`:
--- ```lua
--- vim.lsp.config('skeptic', {
---   settings = { skeptic = { engine = 'offline', maxPersonas = 2 } },
--- })
--- vim.lsp.enable('skeptic')
--- ```
---
--- The Anthropic API key is taken from `$ANTHROPIC_API_KEY` (or
--- `require('skeptic').setup({ api_key = ... })`) and handed over as
--- `initializationOptions.apiKey` in `before_init`, so it never appears in this config.

---@type vim.lsp.Config
return {
  cmd = { 'skeptic', 'serve' },
  filetypes = { 'tex', 'plaintex', 'latex' },
  root_markers = { '.skeptic', '.latexmkrc', '.git' },
  get_language_id = function(bufnr, filetype)
    return require('skeptic.lsp').language_id(bufnr, filetype)
  end,
  settings = { skeptic = {} },
  init_options = { client = 'neovim' },
  capabilities = {
    workspace = { diagnostics = { refreshSupport = true } },
  },
  before_init = function(params, config)
    require('skeptic.lsp').before_init(params, config)
  end,
  handlers = {
    ['skeptic/status'] = function(...)
      return require('skeptic.lsp').handlers['skeptic/status'](...)
    end,
    ['skeptic/readFile'] = function(...)
      return require('skeptic.lsp').handlers['skeptic/readFile'](...)
    end,
    ['workspace/diagnostic/refresh'] = function(...)
      return require('skeptic.lsp').handlers['workspace/diagnostic/refresh'](...)
    end,
  },
}
