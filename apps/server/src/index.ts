export { createApp, LOG_REDACT, VERSION, type AppOptions } from './app.js';
export { isLoopback, loadConfig, signingKeyPolicy, webhookTargetPolicy, type Config } from './config.js';
export { CONFIG_SCHEMA } from './config-schema.js';
export { configurationMarkdown } from './configuration-markdown.js';
export { auditCheckpointFilePath, auditPinPath, initInstance, isInitialised, openInstance, openStore } from './wiring/instance.js';
export { serve } from './cli/serve.js';
export { createServices, type ServiceOptions, type Services } from './wiring/services.js';
export { main } from './cli/main.js';
