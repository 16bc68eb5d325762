--- `:Skeptic {subcommand}`.

local M = {}

---@class skeptic.Subcommand
---@field run fun(args: string[])
---@field args? string[] completions of the first argument
---@field desc string

---@type table<string, skeptic.Subcommand>
M.subcommands = {
  critique = {
    desc = 'critique the project now, with the full engine',
    run = function()
      require('skeptic').critique()
    end,
  },
  twist = {
    desc = 'apply the Twist suggestion of the objection under the cursor',
    run = function()
      require('skeptic').twist()
    end,
  },
  dismiss = {
    desc = 'dismiss the objection under the cursor (`kind`: all of its kind in this file)',
    args = { 'kind' },
    run = function(args)
      if args[1] ~= nil and args[1] ~= 'kind' then
        error(('unknown argument %q (expected `kind`)'):format(args[1]), 0)
      end
      require('skeptic').dismiss({ kind = args[1] == 'kind' })
    end,
  },
  personas = {
    desc = 'show the personas, their relevance scores and which are selected',
    run = function()
      require('skeptic').personas()
    end,
  },
  log = {
    desc = 'open the LSP log',
    run = function()
      require('skeptic').log()
    end,
  },
}

---@param args vim.api.keyset.create_user_command.command_args
function M.run(args)
  local words = args.fargs
  local name = table.remove(words, 1)
  local sub = M.subcommands[name]
  if not sub then
    local names = vim.tbl_keys(M.subcommands)
    table.sort(names)
    vim.notify(
      ('Skeptic: unknown subcommand %q; expected one of: %s'):format(
        tostring(name),
        table.concat(names, ', ')
      ),
      vim.log.levels.ERROR
    )
    return
  end
  local ok, err = pcall(sub.run, words)
  if not ok then
    vim.notify(('Skeptic %s: %s'):format(name, tostring(err)), vim.log.levels.ERROR)
  end
end

---@param arg_lead string
---@param cmdline string
---@return string[]
function M.complete(arg_lead, cmdline)
  local words = vim.split(vim.trim(cmdline), '%s+')
  local typing_new = cmdline:match('%s$') ~= nil
  local position = #words - (typing_new and 0 or 1) -- index of the word being completed
  local candidates = {}
  if position <= 1 then
    candidates = vim.tbl_keys(M.subcommands)
  elseif position == 2 then
    local sub = M.subcommands[words[2]]
    candidates = sub and sub.args or {}
  end
  table.sort(candidates)
  return vim.tbl_filter(function(name)
    return vim.startswith(name, arg_lead)
  end, candidates)
end

return M
