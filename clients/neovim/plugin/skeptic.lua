-- :Skeptic and <Plug> mappings. Everything else loads on first use.
if vim.g.loaded_skeptic ~= nil then
  return
end
vim.g.loaded_skeptic = 1

vim.api.nvim_create_user_command('Skeptic', function(args)
  require('skeptic.commands').run(args)
end, {
  nargs = '+',
  desc = 'Skeptic: critique, twist, dismiss, personas, log',
  complete = function(arg_lead, cmdline)
    return require('skeptic.commands').complete(arg_lead, cmdline)
  end,
})

vim.keymap.set('n', '<Plug>(skeptic-twist)', function()
  require('skeptic').twist()
end, { desc = 'Skeptic: apply the Twist suggestion under the cursor' })
vim.keymap.set('n', '<Plug>(skeptic-dismiss)', function()
  require('skeptic').dismiss()
end, { desc = 'Skeptic: dismiss the objection under the cursor' })
