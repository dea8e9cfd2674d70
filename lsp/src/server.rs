//! The `LanguageServer` implementation: each method takes the lock, brings the
//! analysis up to date and calls its handler. Diagnostics are published by a
//! background task after a debounce.

use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use serde::Deserialize;
use tower_lsp_server::jsonrpc::{Error, ErrorCode, Result};
use tower_lsp_server::ls_types::*;
use tower_lsp_server::{Client, ClientSocket, LanguageServer, LspService};

use crate::framing::{self, Unreadable};

use crate::debounce::Debounce;
use crate::handlers::{
    code_actions, completion, formatting, hover, navigation, semantic_tokens, symbols,
};
use crate::rules_files::WATCH_GLOBS;
use crate::workspace::{Workspace, World};

/// Default wait after the last change before diagnostics are computed.
pub const DEFAULT_DEBOUNCE_MS: u64 = 50;

/// Settings a client may pass as `initializationOptions`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Settings {
    /// A `falco.yaml` or project file giving the load order.
    config_file: Option<String>,
    /// Debounce before diagnostics, in milliseconds.
    debounce_ms: Option<u64>,
    /// A replay profile (`falco-rulec replay --profile-json`) for rule hovers.
    profile_file: Option<String>,
    /// Plugin schema files (relative to the workspace root), added to the project
    /// file's `lint.plugin-schemas`.
    #[serde(default)]
    plugin_schemas: Vec<String>,
}

/// The server state shared by the handlers and the publishing task.
pub struct Server {
    client: Client,
    workspace: Arc<Mutex<Workspace>>,
    debounce: Arc<Debounce>,
    shut_down: Arc<AtomicBool>,
    /// Whether the client lets the server register file watchers.
    watch_files: AtomicBool,
}

impl Server {
    /// A server talking to `client`; `shut_down` is set when `shutdown` arrives.
    pub fn new(client: Client, shut_down: Arc<AtomicBool>) -> Server {
        let server = Server {
            client,
            workspace: Arc::default(),
            debounce: Arc::new(Debounce::new(Duration::from_millis(DEFAULT_DEBOUNCE_MS))),
            shut_down,
            watch_files: AtomicBool::new(false),
        };
        server.spawn_publisher();
        server
    }

    fn lock(&self) -> MutexGuard<'_, Workspace> {
        // A panic in a handler poisons the lock; the state itself stays usable.
        self.workspace
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Runs `handler` on an up-to-date analysis. A panic (a bug) fails this one
    /// request with an internal error instead of taking the server down.
    fn with_world<T>(&self, handler: impl FnOnce(&World<'_>) -> T) -> Result<T> {
        let mut workspace = self.lock();
        std::panic::catch_unwind(AssertUnwindSafe(|| {
            workspace.analyze();
            handler(&workspace.world())
        }))
        .map_err(|_| Error::internal_error())
    }

    /// The task that publishes diagnostics: one debounce delay after the last change
    /// (`Debounce`), it analyses and publishes.
    fn spawn_publisher(&self) {
        let client = self.client.clone();
        let workspace = Arc::clone(&self.workspace);
        let debounce = Arc::clone(&self.debounce);
        tokio::spawn(async move {
            loop {
                debounce.settled().await;
                // A panic (a bug) skips this round instead of ending the task.
                let publications =
                    std::panic::catch_unwind(AssertUnwindSafe(|| lock(&workspace).publications()))
                        .unwrap_or_default();
                let problems = lock(&workspace).take_problems();
                show_problems(&client, problems).await;
                for publication in publications {
                    client
                        .publish_diagnostics(
                            publication.uri,
                            publication.diagnostics,
                            publication.version,
                        )
                        .await;
                }
            }
        });
    }

    fn changed(&self) {
        self.debounce.change();
    }

    /// Asks the client to report changes to rules files and configuration files on
    /// disk (`workspace/didChangeWatchedFiles`): a git checkout or another editor
    /// changes files the server has read.
    async fn register_watchers(&self) {
        let watchers = WATCH_GLOBS
            .iter()
            .map(|glob| FileSystemWatcher {
                glob_pattern: GlobPattern::String((*glob).to_owned()),
                kind: None,
            })
            .collect();
        let options = DidChangeWatchedFilesRegistrationOptions { watchers };
        let Ok(options) = serde_json::to_value(options) else {
            return;
        };
        let registration = Registration {
            id: "falco-rules-lsp/watched-files".to_owned(),
            method: "workspace/didChangeWatchedFiles".to_owned(),
            register_options: Some(options),
        };
        if let Err(error) = self.client.register_capability(vec![registration]).await {
            self.client
                .log_message(
                    MessageType::WARNING,
                    format!("falco-rules-lsp could not register its file watchers: {error}"),
                )
                .await;
        }
    }

    /// Answers a request the transport could not read (see [`crate::framing`]) with
    /// the JSON-RPC error it calls for.
    pub async fn unreadable_request(&self, params: Unreadable) -> Result<()> {
        Err(Error {
            code: ErrorCode::from(params.code),
            message: params.reason.into(),
            data: None,
        })
    }

    /// Drops a notification the transport could not read, and tells the client.
    pub async fn unreadable_notification(&self, params: Unreadable) {
        let what = match &params.method {
            Some(method) => format!("a `{method}` notification"),
            None => "a message".to_owned(),
        };
        self.client
            .log_message(
                MessageType::WARNING,
                format!(
                    "falco-rules-lsp dropped {what} it could not read: {}",
                    params.reason
                ),
            )
            .await;
    }
}

/// The server as a tower service, with the handlers of [`crate::framing`]'s
/// stand-in messages; `shut_down` is set when `shutdown` arrives.
pub fn service(shut_down: Arc<AtomicBool>) -> (LspService<Server>, ClientSocket) {
    LspService::build(move |client| Server::new(client, shut_down))
        .custom_method(framing::UNREADABLE_REQUEST, Server::unreadable_request)
        .custom_method(
            framing::UNREADABLE_NOTIFICATION,
            Server::unreadable_notification,
        )
        .finish()
}

fn lock(workspace: &Mutex<Workspace>) -> MutexGuard<'_, Workspace> {
    workspace
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Shows configuration problems (an unreadable rules file, a malformed
/// `rules_files`) as warnings.
async fn show_problems(client: &Client, problems: Vec<String>) {
    for problem in problems {
        client.show_message(MessageType::WARNING, problem).await;
    }
}

fn root_of(params: &InitializeParams) -> Option<std::path::PathBuf> {
    let folder = params
        .workspace_folders
        .as_ref()
        .and_then(|folders| folders.first())
        .map(|folder| &folder.uri);
    #[allow(deprecated)] // Older clients send only `rootUri`.
    let uri = folder.or(params.root_uri.as_ref())?;
    uri.to_file_path().map(|path| path.into_owned())
}

fn capabilities() -> ServerCapabilities {
    ServerCapabilities {
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::INCREMENTAL),
                save: Some(TextDocumentSyncSaveOptions::Supported(true)),
                ..TextDocumentSyncOptions::default()
            },
        )),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some([".", "%", "(", " ", ",", ":"].map(str::to_owned).to_vec()),
            ..CompletionOptions::default()
        }),
        definition_provider: Some(OneOf::Left(true)),
        references_provider: Some(OneOf::Left(true)),
        document_symbol_provider: Some(OneOf::Left(true)),
        workspace_symbol_provider: Some(OneOf::Left(true)),
        rename_provider: Some(OneOf::Right(RenameOptions {
            prepare_provider: Some(true),
            work_done_progress_options: WorkDoneProgressOptions::default(),
        })),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![CodeActionKind::QUICKFIX]),
            ..CodeActionOptions::default()
        })),
        semantic_tokens_provider: Some(SemanticTokensServerCapabilities::SemanticTokensOptions(
            SemanticTokensOptions {
                legend: semantic_tokens::legend(),
                full: Some(SemanticTokensFullOptions::Bool(true)),
                range: None,
                work_done_progress_options: WorkDoneProgressOptions::default(),
            },
        )),
        document_formatting_provider: Some(OneOf::Left(true)),
        document_range_formatting_provider: Some(OneOf::Left(true)),
        ..ServerCapabilities::default()
    }
}

impl LanguageServer for Server {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        let settings: Settings = params
            .initialization_options
            .clone()
            .and_then(|options| serde_json::from_value(options).ok())
            .unwrap_or_default();
        if let Some(debounce) = settings.debounce_ms {
            self.debounce.set_delay(Duration::from_millis(debounce));
        }
        let root = root_of(&params);
        {
            let mut workspace = self.lock();
            workspace.set_plugin_schemas(settings.plugin_schemas);
            workspace.configure(root, settings.config_file);
            workspace.set_profile(settings.profile_file);
        }
        let dynamic_watchers = params
            .capabilities
            .workspace
            .as_ref()
            .and_then(|workspace| workspace.did_change_watched_files.as_ref())
            .and_then(|watched| watched.dynamic_registration)
            .unwrap_or(false);
        self.watch_files.store(dynamic_watchers, Ordering::Relaxed);
        Ok(InitializeResult {
            capabilities: capabilities(),
            server_info: Some(ServerInfo {
                name: "falco-rules-lsp".to_owned(),
                version: Some(env!("CARGO_PKG_VERSION").to_owned()),
            }),
            offset_encoding: None,
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        let problems = self.lock().take_problems();
        show_problems(&self.client, problems).await;
        if self.watch_files.load(Ordering::Relaxed) {
            self.register_watchers().await;
        }
    }

    async fn shutdown(&self) -> Result<()> {
        self.shut_down.store(true, Ordering::SeqCst);
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        let document = params.text_document;
        self.lock()
            .open(document.uri, document.version, document.text);
        self.changed();
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        let document = params.text_document;
        self.lock()
            .change(&document.uri, document.version, params.content_changes);
        self.changed();
    }

    async fn did_save(&self, _: DidSaveTextDocumentParams) {
        self.lock().files_changed();
        self.changed();
    }

    async fn did_change_watched_files(&self, _: DidChangeWatchedFilesParams) {
        self.lock().files_changed();
        self.changed();
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        self.lock().close(&params.text_document.uri);
        self.changed();
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        let at = params.text_document_position_params;
        self.with_world(|world| hover::hover(world, &at.text_document.uri, at.position))
    }

    async fn completion(&self, params: CompletionParams) -> Result<Option<CompletionResponse>> {
        let at = params.text_document_position;
        let trigger = params.context.and_then(|context| context.trigger_character);
        self.with_world(|world| {
            completion::completion(
                world,
                &at.text_document.uri,
                at.position,
                trigger.as_deref(),
            )
        })
    }

    async fn goto_definition(
        &self,
        params: GotoDefinitionParams,
    ) -> Result<Option<GotoDefinitionResponse>> {
        let at = params.text_document_position_params;
        self.with_world(|world| {
            navigation::goto_definition(world, &at.text_document.uri, at.position)
                .map(GotoDefinitionResponse::Array)
        })
    }

    async fn references(&self, params: ReferenceParams) -> Result<Option<Vec<Location>>> {
        let at = params.text_document_position;
        self.with_world(|world| {
            navigation::references(
                world,
                &at.text_document.uri,
                at.position,
                params.context.include_declaration,
            )
        })
    }

    async fn prepare_rename(
        &self,
        params: TextDocumentPositionParams,
    ) -> Result<Option<PrepareRenameResponse>> {
        self.with_world(|world| {
            navigation::prepare_rename(world, &params.text_document.uri, params.position)
        })
    }

    async fn rename(&self, params: RenameParams) -> Result<Option<WorkspaceEdit>> {
        let at = params.text_document_position;
        let result = self.with_world(|world| {
            navigation::rename(world, &at.text_document.uri, at.position, &params.new_name)
        });
        match result? {
            Ok(edit) => Ok(Some(edit)),
            Err(navigation::RenameError::NotRenamable) => Ok(None),
            Err(
                navigation::RenameError::InvalidName(message)
                | navigation::RenameError::Clash(message),
            ) => Err(Error::invalid_params(message)),
        }
    }

    async fn document_symbol(
        &self,
        params: DocumentSymbolParams,
    ) -> Result<Option<DocumentSymbolResponse>> {
        self.with_world(|world| {
            symbols::document_symbols(world, &params.text_document.uri)
                .map(DocumentSymbolResponse::Nested)
        })
    }

    async fn symbol(
        &self,
        params: WorkspaceSymbolParams,
    ) -> Result<Option<WorkspaceSymbolResponse>> {
        self.with_world(|world| {
            Some(WorkspaceSymbolResponse::Nested(symbols::workspace_symbols(
                world,
                &params.query,
            )))
        })
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        self.with_world(|world| {
            code_actions::code_actions(world, &params.text_document.uri, params.range)
        })
    }

    async fn semantic_tokens_full(
        &self,
        params: SemanticTokensParams,
    ) -> Result<Option<SemanticTokensResult>> {
        self.with_world(|world| {
            semantic_tokens::semantic_tokens(world, &params.text_document.uri)
                .map(SemanticTokensResult::Tokens)
        })
    }

    async fn formatting(&self, params: DocumentFormattingParams) -> Result<Option<Vec<TextEdit>>> {
        self.with_world(|world| formatting::formatting(world, &params.text_document.uri))
    }

    async fn range_formatting(
        &self,
        params: DocumentRangeFormattingParams,
    ) -> Result<Option<Vec<TextEdit>>> {
        self.with_world(|world| {
            formatting::range_formatting(world, &params.text_document.uri, params.range)
        })
    }
}
