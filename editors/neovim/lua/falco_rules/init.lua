-- Neovim setup for falco-rules-lsp, the language server for Falco rules files.
-- Works with the built-in LSP client of Neovim 0.7 and newer: it uses
-- vim.lsp.start when present (0.8+), else vim.lsp.start_client and
-- vim.lsp.buf_attach_client (0.7).

local M = {}

-- Defaults; every key can be overridden through setup().
M.defaults = {
  -- The server command. Put falco-rules-lsp on PATH or give its full path.
  cmd = { "falco-rules-lsp" },
  -- File name patterns that are Falco rules files.
  patterns = { "*_rules.yaml", "*_rules.yml", "*.falco.yaml", "*.falco.yml" },
  -- The filetype given to them: YAML highlighting plus the `falco` part.
  filetype = "yaml.falco",
  -- Files that mark the workspace root, looked for upwards from the file.
  root_markers = { ".falco-rulec.yaml", "falco.yaml", ".git" },
  -- Sent as initializationOptions: configFile, debounceMs (see docs/lsp.md).
  init_options = {},
}

local config = vim.deepcopy(M.defaults)
local clients = {} -- root directory -> client id (0.7 path only)

-- The nearest directory at or above `path` holding one of the root markers;
-- the file's own directory when none does.
local function find_root(path)
  local dir = vim.fn.fnamemodify(path, ":p:h")
  local start = dir
  while dir and dir ~= "" do
    for _, marker in ipairs(config.root_markers) do
      if vim.loop.fs_stat(dir .. "/" .. marker) then
        return dir
      end
    end
    local parent = vim.fn.fnamemodify(dir, ":h")
    if parent == dir then
      break
    end
    dir = parent
  end
  return start
end

-- Starts (or reuses) the server for the buffer's workspace and attaches it.
function M.attach(bufnr)
  local name = vim.api.nvim_buf_get_name(bufnr)
  local root = find_root(name)
  local client_config = {
    name = "falco-rules-lsp",
    cmd = config.cmd,
    root_dir = root,
    workspace_folders = { { uri = vim.uri_from_fname(root), name = root } },
    init_options = config.init_options,
  }
  if vim.lsp.start then
    vim.lsp.start(client_config, { bufnr = bufnr })
    return
  end
  local id = clients[root]
  if not id or not vim.lsp.get_client_by_id(id) then
    id = vim.lsp.start_client(client_config)
    clients[root] = id
  end
  if id then
    vim.lsp.buf_attach_client(bufnr, id)
  end
end

-- Registers the filetype and starts the server for matching files.
function M.setup(opts)
  config = vim.tbl_deep_extend("force", vim.deepcopy(M.defaults), opts or {})
  local group = vim.api.nvim_create_augroup("falco_rules_lsp", { clear = true })
  vim.api.nvim_create_autocmd({ "BufRead", "BufNewFile" }, {
    group = group,
    pattern = config.patterns,
    callback = function(args)
      vim.bo[args.buf].filetype = config.filetype
      M.attach(args.buf)
    end,
  })
end

return M
