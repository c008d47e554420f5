/** @orderlab/lab: the native runner as a library, for tests and tools. */
export { startLab, startTestLab, type Lab, type LabUrls, type LabRabbitMq } from './lab.js';
export {
  testLabOptions,
  freeTracingPorts,
  LAB_SERVICES,
  DATABASE_SERVICES,
  DEFAULT_PORTS,
  type LabOptions,
  type LabPorts,
  type LabService,
  type DatabaseService,
} from './lab-options.js';
export { labServiceEnv, TRACED_SERVICES } from './lab-service-env.js';
export {
  TRACE_BACKENDS,
  TRACE_BACKEND_TOOLS,
  JAEGER_MAX_TRACES,
  LOGS_FEATURE_GATES,
  COLLECTOR_CONFIG,
  JAEGER_CONFIG,
  TraceBackends,
  collectorEnv,
  jaegerEnv,
  traceBackendSpec,
  tracingUrls,
  type TraceBackend,
  type TraceBackendsOptions,
  type TracingPorts,
  type TracingState,
  type TracingUrls,
} from './lab-tracing.js';
export {
  LOG_BACKEND,
  LOGS_COLLECTOR_CONFIG,
  SHIPPED_LOG_FILES,
  VICTORIALOGS_RETENTION,
  VICTORIALOGS_MAX_DISK,
  LogBackend,
  logsCollectorEnv,
  logsDirs,
  victoriaLogsSpec,
  victoriaLogsUrl,
  type LogsDirs,
  type LogsState,
} from './lab-logs.js';
export { DEFAULT_LOG_ROTATION, LogRotator, rotateFile, type LogRotationOptions, type RotatedFile } from './log-rotation.js';
export { LabStartError } from './lab-start-error.js';
export { Supervisor, NotReadyError, describeExit, type ServiceSpec, type SupervisorOptions, type ExitInfo } from './supervisor.js';
export { freePort, portInUse, assertPortsFree, PortInUseError } from './ports.js';
export {
  acquireDataStores,
  stopDataStores,
  dataStoreEnv,
  DataStoreError,
  DATA_STORES,
  DATA_STORE_PORTS,
  type DataStores,
  type DataStoreEndpoints,
  type DataStoreName,
  type DataStoreOptions,
} from './data-stores.js';
export { findExecutable } from './config.js';
export {
  ensureServiceDatabase,
  dropServiceDatabase,
  describeServiceDatabase,
  serviceDatabaseUrl,
  type ServiceDatabase,
  type EnsuredDatabase,
} from './databases.js';
export { EDGE_TEMPLATE, renderEdgeTemplate, writeEdgeConfig, testEdgeConfig, findNginx, nginxArgs, type EdgeTemplateVars, type EdgeFiles } from './edge.js';
export {
  ensureSystemPackages,
  NGINX,
  CHROMIUM,
  DOCKER_COMPOSE,
  MAKE,
  PROMETHEUS,
  EXPORTERS,
  DATA_STORE_SERVERS,
  type SystemPackage,
  type SystemPackageReport,
} from './system-packages.js';
export {
  SCRAPE_JOBS,
  SCRAPE_INTERVAL,
  MONITORS,
  PROMETHEUS_DIR,
  PROMETHEUS_RULES_GLOB,
  nativeScrapeJobs,
  checkPrometheusConfig,
  type ScrapeJob,
  type NativeScrapeJob,
  type ScrapePorts,
  type ScrapeSource,
  type Monitor,
} from './prometheus.js';
export { COMPOSE_PROMETHEUS_CONFIG, renderPrometheusConfig, renderComposePrometheusConfig, writePrometheusConfig } from './prometheus-config.js';
export { DEPLOY_CONFIGS, staleDeployConfigs, type DeployConfig } from './deploy-configs.js';
export { readJsonLines, type LogOutput } from './log-sink.js';
export { createReporter, silentReporter, type Reporter } from './reporter.js';
export { findTestFiles, type TestFile } from './run-tests.js';
export { REPO_ROOT, DEFAULT_LOGS_DIR, DEFAULT_PROMETHEUS_DATA_DIR, TRACING_REGISTER } from './paths.js';
export {
  ensureTool,
  cachedTool,
  toolCacheDir,
  ToolInstalls,
  ToolInstallError,
  SCHEMATHESIS,
  OTEL_COLLECTOR,
  VICTORIALOGS,
  JAEGER,
  toolPath,
  type ToolSpec,
  type InstalledTool,
} from './tools.js';
