-- Headless Neovim (0.7 API) against `cronlock lsp`: a diagnostic, its quick
-- fix applied through Neovim's own apply_workspace_edit, the buffers written,
-- and a base class edit that changes a subclass's diagnostics. Paths come
-- from the environment (see test.sh). Exits non-zero on any failure.

local bin = os.getenv('CRONLOCK_BIN')
local fix_root = os.getenv('FIX_ROOT')
local base_root = os.getenv('BASE_ROOT')
vim.o.hidden = true

local function say(...)
  io.stdout:write(table.concat({ ... }, ' ') .. '\n')
end

local function fail(why)
  say('FAIL: ' .. why)
  vim.cmd('cquit 1')
end

local function start(root)
  local id = vim.lsp.start_client({
    name = 'cronlock',
    cmd = { bin, 'lsp' },
    root_dir = root,
    workspace_folders = { { uri = vim.uri_from_fname(root), name = root } },
  })
  if not id then
    fail('cronlock lsp did not start')
  end
  return id
end

local function open(path, client_id)
  vim.cmd('edit ' .. vim.fn.fnameescape(path))
  local bufnr = vim.api.nvim_get_current_buf()
  vim.lsp.buf_attach_client(bufnr, client_id)
  return bufnr
end

local function diagnostics(bufnr, client_id)
  return vim.diagnostic.get(bufnr, { namespace = vim.lsp.diagnostic.get_namespace(client_id) })
end

local function wait_for(what, predicate)
  if not vim.wait(20000, predicate, 50) then
    fail('timed out waiting for ' .. what)
  end
end

-- 1. A job whose base lacks lockService: the diagnostic, then the quick fix.
local client_id = start(fix_root)
local job = fix_root .. '/src/sync/base-sync.job.ts'
local bufnr = open(job, client_id)
wait_for('the diagnostic on ' .. job, function()
  return #diagnostics(bufnr, client_id) > 0
end)
local diagnostic = diagnostics(bufnr, client_id)[1]
say(string.format('diagnostic: %s:%d:%d [%s] %s', vim.fn.fnamemodify(job, ':t'), diagnostic.lnum + 1,
  diagnostic.col + 1, tostring(diagnostic.code), diagnostic.message))

vim.api.nvim_win_set_cursor(0, { diagnostic.lnum + 1, diagnostic.col })
local client = vim.lsp.get_client_by_id(client_id)
local params = vim.lsp.util.make_range_params()
params.context = { diagnostics = vim.lsp.diagnostic.get_line_diagnostics(bufnr, nil, nil, client_id) }
local action
wait_for('the quick fix', function()
  local response = client.request_sync('textDocument/codeAction', params, 10000, bufnr)
  for _, candidate in ipairs((response and response.result) or {}) do
    if candidate.kind == 'quickfix' and candidate.isPreferred then
      action = candidate
      return true
    end
  end
  return false
end)
say('code action: ' .. action.title)
say('applied edit: ' .. vim.fn.json_encode(action.edit))
vim.lsp.util.apply_workspace_edit(action.edit, client.offset_encoding or 'utf-16')
vim.cmd('silent wall')
local written = {}
for _, change in ipairs(action.edit.documentChanges or {}) do
  table.insert(written, vim.uri_to_fname(change.textDocument.uri))
end
for uri, _ in pairs(action.edit.changes or {}) do
  table.insert(written, vim.uri_to_fname(uri))
end
table.sort(written)
for _, path in ipairs(written) do
  say('written: ' .. path)
end
wait_for('the fixed job to have no missing-lock-service', function()
  for _, d in ipairs(diagnostics(bufnr, client_id)) do
    if d.code == 'missing-lock-service' then
      return false
    end
  end
  return true
end)
say('after the fix: no missing-lock-service on ' .. vim.fn.fnamemodify(job, ':t'))

-- The other change set of the fixture, through source.fixAll.cronlock.
local ledger = fix_root .. '/src/sync/ledger.job.ts'
local ledger_buf = open(ledger, client_id)
local fix_all
wait_for('source.fixAll.cronlock on ledger.job.ts', function()
  local all_params = vim.lsp.util.make_range_params()
  all_params.context = { diagnostics = {}, only = { 'source.fixAll.cronlock' } }
  local response = client.request_sync('textDocument/codeAction', all_params, 10000, ledger_buf)
  fix_all = ((response and response.result) or {})[1]
  return fix_all ~= nil
end)
say('code action: ' .. fix_all.title .. ' (' .. fix_all.kind .. ')')
say('applied edit: ' .. vim.fn.json_encode(fix_all.edit))
vim.lsp.util.apply_workspace_edit(fix_all.edit, client.offset_encoding or 'utf-16')
vim.cmd('silent wall')
for uri, _ in pairs(fix_all.edit.changes or {}) do
  say('written: ' .. vim.uri_to_fname(uri))
end
for _, change in ipairs(fix_all.edit.documentChanges or {}) do
  say('written: ' .. vim.uri_to_fname(change.textDocument.uri))
end

-- 2. A base class gains lockService in its buffer (unsaved): the subclass's
-- diagnostic goes away.
local base_client = start(base_root)
local subclass = base_root .. '/src/jobs/report.job.ts'
local sub_buf = open(subclass, base_client)
wait_for('the subclass diagnostic', function()
  return #diagnostics(sub_buf, base_client) > 0
end)
local before = diagnostics(sub_buf, base_client)[1]
say(string.format('subclass before: report.job.ts:%d [%s] %s', before.lnum + 1, tostring(before.code), before.message))
local base = base_root .. '/src/base/base-job.ts'
local base_buf = open(base, base_client)
local lines = vim.api.nvim_buf_get_lines(base_buf, 0, -1, false)
for i, line in ipairs(lines) do
  if line:match('^export abstract class BaseJob') then
    vim.api.nvim_buf_set_lines(base_buf, i, i, false,
      { '  constructor(protected readonly lockService: DistributedLockService) {}' })
    vim.api.nvim_buf_set_lines(base_buf, 0, 0, false,
      { "import { DistributedLockService } from '@acme/cluster-lock';" })
    break
  end
end
say('edited base class: added lockService to BaseJob (unsaved)')
wait_for('the subclass diagnostic to clear', function()
  return #diagnostics(sub_buf, base_client) == 0
end)
say('subclass after: no diagnostics on report.job.ts')

vim.lsp.stop_client({ client_id, base_client })
wait_for('the servers to shut down', function()
  return vim.lsp.client_is_stopped(client_id) and vim.lsp.client_is_stopped(base_client)
end)
say('neovim: ok')
vim.cmd('qall!')
