-- Used by the language server's test suite (lsp/tests/it/neovim.rs): drives headless
-- Neovim with the setup of editors/neovim as a user would, and writes what happened
-- as JSON. Environment: FALCO_LSP_REPO (repository root), FALCO_LSP_CMD (server
-- binary), FALCO_LSP_DIR (a workspace prepared by the test), FALCO_LSP_OUT (where to
-- write).
--
-- Steps: which filetype each file gets; the diagnostics of bad_rules.yaml; the
-- buffer's omnifunc and tagfunc; `K` on a macro (a hover window opens); CTRL-] on the
-- macro (the cursor jumps to its definition); and <C-x><C-o> after `proc.` in insert
-- mode (the completion items). Completion needs Neovim's main loop to read the typed
-- keys, so the last step runs from timers instead of blocking.
local repo = os.getenv("FALCO_LSP_REPO")
local dir = os.getenv("FALCO_LSP_DIR")
vim.opt.runtimepath:prepend(repo .. "/editors/neovim")
vim.cmd("filetype on")
require("falco_rules").setup({
  cmd = { os.getenv("FALCO_LSP_CMD") },
  init_options = { debounceMs = 0 },
})

local out = {
  version = tostring(vim.version().major) .. "." .. tostring(vim.version().minor),
  filetypes = {},
}

local function finish()
  vim.fn.writefile({ vim.fn.json_encode(out) }, os.getenv("FALCO_LSP_OUT"))
  vim.cmd("qa!")
end

for _, name in ipairs({
  "falco_rules.local.yaml",
  "rules.d/extra.yaml",
  "detections.yaml",
  "values.yaml",
  "new_rules.yaml",
  "notes.txt",
}) do
  vim.cmd("edit " .. vim.fn.fnameescape(dir .. "/" .. name))
  out.filetypes[name] = vim.bo.filetype
end

vim.cmd("edit " .. vim.fn.fnameescape(dir .. "/bad_rules.yaml"))
local buf = vim.api.nvim_get_current_buf()
vim.wait(20000, function()
  return #vim.diagnostic.get(buf) > 0
end, 20)
out.diagnostics = {}
for _, d in ipairs(vim.diagnostic.get(buf)) do
  local lsp = d.user_data and d.user_data.lsp or {}
  table.insert(out.diagnostics, { lnum = d.lnum, col = d.col, code = d.code or lsp.code })
end
out.omnifunc = vim.bo.omnifunc
out.tagfunc = vim.bo.tagfunc

-- `K` on the use of the macro `ok` (line 6, `  condition: ok and ...`).
vim.api.nvim_win_set_cursor(0, { 6, 13 })
vim.cmd("normal K")
vim.wait(10000, function()
  for _, win in ipairs(vim.api.nvim_list_wins()) do
    if vim.api.nvim_win_get_config(win).relative ~= "" then
      local lines = vim.api.nvim_buf_get_lines(vim.api.nvim_win_get_buf(win), 0, -1, false)
      out.hover = table.concat(lines, "\n")
      return true
    end
  end
  return false
end, 20)
for _, win in ipairs(vim.api.nvim_list_wins()) do
  if vim.api.nvim_win_get_config(win).relative ~= "" then
    vim.api.nvim_win_close(win, true)
  end
end

-- CTRL-] on the same use: the tag function asks the server for the definition.
vim.api.nvim_set_current_buf(buf)
vim.api.nvim_win_set_cursor(0, { 6, 13 })
local ok, error = pcall(vim.cmd, 'execute "normal \\<C-]>"')
out.tag_error = not ok and tostring(error) or vim.NIL
out.tag_line = vim.api.nvim_win_get_cursor(0)[1]

-- <C-x><C-o> after `proc.` at the end of the rule's condition. The LSP client hands
-- its items to complete(): keep them.
local complete = vim.fn.complete
vim.fn.complete = function(column, items)
  out.completion = {}
  for _, item in ipairs(items) do
    table.insert(out.completion, type(item) == "table" and item.word or item)
  end
  return complete(column, items)
end
vim.api.nvim_set_current_buf(buf)
vim.api.nvim_win_set_cursor(0, { 6, 0 })
vim.fn.feedkeys("A and proc.\24\15", "nt")
local waited = 0
local function poll()
  waited = waited + 50
  if out.completion or waited > 20000 then
    finish()
  else
    vim.defer_fn(poll, 50)
  end
end
vim.defer_fn(poll, 50)
