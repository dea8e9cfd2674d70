-- Used by the language server's test suite (lsp/tests/it/neovim.rs): opens a
-- rules file with the server attached through editors/neovim, waits for its
-- diagnostics and writes them as JSON. Environment: FALCO_LSP_REPO (repository
-- root), FALCO_LSP_CMD (server binary), FALCO_LSP_FILE (file to open),
-- FALCO_LSP_OUT (where to write).
local repo = os.getenv("FALCO_LSP_REPO")
vim.opt.runtimepath:prepend(repo .. "/editors/neovim")
require("falco_rules").setup({
  cmd = { os.getenv("FALCO_LSP_CMD") },
  init_options = { debounceMs = 0 },
})
vim.cmd("edit " .. vim.fn.fnameescape(os.getenv("FALCO_LSP_FILE")))
local got = vim.wait(20000, function()
  return #vim.diagnostic.get(0) > 0
end, 50)
local out = { filetype = vim.bo.filetype, diagnostics = {} }
if got then
  for _, d in ipairs(vim.diagnostic.get(0)) do
    local lsp = d.user_data and d.user_data.lsp or {}
    table.insert(out.diagnostics, {
      lnum = d.lnum,
      col = d.col,
      code = d.code or lsp.code,
      message = d.message,
    })
  end
end
vim.fn.writefile({ vim.fn.json_encode(out) }, os.getenv("FALCO_LSP_OUT"))
vim.cmd("qa!")
