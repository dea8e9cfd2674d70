-- Neovim setup for falco-rules-lsp, the language server for Falco rules files.
--
-- One setup for every Neovim from 0.7 (Debian 12) on, with the built-in LSP client:
--   * 0.11 and newer: vim.lsp.config + vim.lsp.enable (the native way);
--   * 0.8 to 0.10: vim.lsp.start from a FileType autocommand;
--   * 0.7: vim.lsp.start_client + vim.lsp.buf_attach_client.
-- Which files are rules files comes from rules_files.lua, generated from the list all
-- editors share (editors/rules-files.json).

local rules_files = require("falco_rules.rules_files")

local M = {}

local NAME = "falco_rules"

-- Defaults; every key can be overridden through setup().
M.defaults = {
  -- The server command. Put falco-rules-lsp on PATH or give its full path.
  cmd = { "falco-rules-lsp" },
  -- The filetype given to rules files: YAML highlighting plus the `falco` part.
  filetype = "yaml.falco",
  -- Files that mark the workspace root, looked for upwards from the file.
  root_markers = vim.list_extend(vim.deepcopy(rules_files.config_files), { ".git" }),
  -- Sent as initializationOptions: configFile, debounceMs (see docs/lsp.md).
  init_options = {},
  -- Look inside other YAML files: one whose first lines start a rule, macro or list
  -- is a rules file too.
  sniff = true,
  -- Buffer-local mappings set when the server attaches; set one to false to skip it,
  -- or `keymaps = false` for none.
  keymaps = {
    hover = "K",
    definition = "gd",
    references = "gr",
    rename = "<leader>rn",
    code_action = "<leader>ca",
    format = "<leader>f",
  },
  -- Called after this setup's own on_attach, with (client, bufnr).
  on_attach = nil,
}

local config = vim.deepcopy(M.defaults)
local clients = {} -- root directory -> client id (0.7 only)

local name_regexes = {}
for _, glob in ipairs(rules_files.name_globs) do
  table.insert(name_regexes, vim.regex(vim.fn.glob2regpat(glob)))
end

local function has_yaml_extension(path)
  local ext = path:match("%.([^./]+)$")
  return ext ~= nil and vim.tbl_contains(rules_files.yaml_extensions, ext)
end

-- Whether the first lines of `lines` start a rule, macro or list item.
function M.sniff(lines)
  for index, line in ipairs(lines) do
    if index > rules_files.sniff_max_lines then
      break
    end
    for _, key in ipairs(rules_files.sniff_item_keys) do
      if line:match("^%-%s+" .. key .. "%s*:") then
        return true
      end
    end
  end
  return false
end

-- Whether the file at `path` (shown in buffer `bufnr`, if given) is a Falco rules file:
-- by its name, by its folder (`rules.d`), or, for other YAML files, by its content.
function M.is_rules_file(path, bufnr)
  local name = vim.fn.fnamemodify(path, ":t")
  for _, regex in ipairs(name_regexes) do
    if regex:match_str(name) then
      return true
    end
  end
  if not has_yaml_extension(path) then
    return false
  end
  local folder = vim.fn.fnamemodify(path, ":p:h:t")
  if vim.tbl_contains(rules_files.rules_directories, folder) then
    return true
  end
  if config.sniff and bufnr and vim.api.nvim_buf_is_loaded(bufnr) then
    return M.sniff(vim.api.nvim_buf_get_lines(bufnr, 0, rules_files.sniff_max_lines, false))
  end
  return false
end

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

local function map(bufnr, lhs, rhs, desc)
  if lhs then
    vim.keymap.set("n", lhs, rhs, { buffer = bufnr, silent = true, desc = desc })
  end
end

-- What happens when the server attaches to a buffer: completion with <C-x><C-o>,
-- CTRL-] and :tag through the server, and the mappings.
function M.on_attach(client, bufnr)
  vim.bo[bufnr].omnifunc = "v:lua.vim.lsp.omnifunc"
  vim.bo[bufnr].tagfunc = "v:lua.vim.lsp.tagfunc"
  local keys = config.keymaps
  if keys then
    local buf = vim.lsp.buf
    map(bufnr, keys.hover, buf.hover, "Falco rules: hover")
    map(bufnr, keys.definition, buf.definition, "Falco rules: go to definition")
    map(bufnr, keys.references, buf.references, "Falco rules: references")
    map(bufnr, keys.rename, buf.rename, "Falco rules: rename")
    map(bufnr, keys.code_action, buf.code_action, "Falco rules: code action")
    map(bufnr, keys.format, function()
      if buf.format then
        buf.format({ bufnr = bufnr })
      else
        buf.formatting() -- 0.7
      end
    end, "Falco rules: format")
  end
  if config.on_attach then
    config.on_attach(client, bufnr)
  end
end

local function client_config(root)
  return {
    name = NAME,
    cmd = config.cmd,
    root_dir = root,
    workspace_folders = { { uri = vim.uri_from_fname(root), name = root } },
    init_options = config.init_options,
    on_attach = M.on_attach,
  }
end

-- Starts (or reuses) the server for the buffer's workspace and attaches it
-- (Neovim 0.7 to 0.10; 0.11 and newer attach through vim.lsp.enable).
function M.attach(bufnr)
  local root = find_root(vim.api.nvim_buf_get_name(bufnr))
  if vim.lsp.start then
    vim.lsp.start(client_config(root), { bufnr = bufnr })
    return
  end
  local id = clients[root]
  if not id or not vim.lsp.get_client_by_id(id) then
    id = vim.lsp.start_client(client_config(root))
    clients[root] = id
  end
  if id then
    vim.lsp.buf_attach_client(bufnr, id)
  end
end

local function native()
  return vim.lsp.config ~= nil and vim.lsp.enable ~= nil
end

-- Registers the detection of rules files and the server.
function M.setup(opts)
  config = vim.tbl_deep_extend("force", vim.deepcopy(M.defaults), opts or {})
  if opts and opts.keymaps == false then
    config.keymaps = false
  end
  local group = vim.api.nvim_create_augroup("falco_rules_lsp", { clear = true })
  vim.api.nvim_create_autocmd({ "BufRead", "BufNewFile" }, {
    group = group,
    pattern = vim.list_extend(vim.deepcopy(rules_files.autocmd_patterns), { "*.yaml", "*.yml" }),
    callback = function(args)
      if M.is_rules_file(vim.api.nvim_buf_get_name(args.buf), args.buf) then
        vim.bo[args.buf].filetype = config.filetype
      end
    end,
  })
  if native() then
    vim.lsp.config(NAME, {
      cmd = config.cmd,
      filetypes = { config.filetype },
      root_markers = config.root_markers,
      init_options = config.init_options,
      on_attach = M.on_attach,
    })
    vim.lsp.enable(NAME)
  else
    vim.api.nvim_create_autocmd("FileType", {
      group = group,
      pattern = config.filetype,
      callback = function(args)
        M.attach(args.buf)
      end,
    })
  end
end

return M
