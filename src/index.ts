// Public API: re-exports only. Interfaces are re-exported with `export type`; internal helpers stay unexported.

// Constructs
export { StatefulApp, StatefulUpdateStrategy, StatefulUpdateType, StatefulPodManagement, ClaimRetentionPolicy } from './constructs/stateful-app/stateful-app';
export type { StatefulAppProps, VolumeClaimTemplate, ClientServiceOptions, ClaimRetentionOptions, StatefulRollingUpdateOptions } from './constructs/stateful-app/stateful-app';
export { StatelessApp, StatelessUpdateStrategy } from './constructs/stateless-app/stateless-app';
export type { StatelessAppProps, StatelessServiceOptions, StatelessRollingUpdateOptions } from './constructs/stateless-app/stateless-app';
export { NodeAgent } from './constructs/node-agent/node-agent';
export { NodeAgentUpdateStrategy } from './constructs/node-agent/node-agent-props';
export type { NodeAgentProps, NodeAgentRollingUpdateOptions, HostMount, NodeAgentMetricsOptions } from './constructs/node-agent/node-agent-props';
export { LogCollectorState } from './constructs/node-agent/presets';
export type { NodeAgentPresetOptions, NodeExporterOptions, LogCollectorOptions, LogCollectorHostStateOptions } from './constructs/node-agent/presets';
export { JobRestartPolicy, CompletionMode, PodFailureAction, ExitCodeOperator, PodConditionStatus, PodFailurePolicyRule } from './workload/job-spec';
export type { JobOptions, ExitCodeRuleOptions, PodConditionPattern, PodConditionRuleOptions } from './workload/job-spec';
export { BatchJob } from './constructs/batch/batch-job';
export type { BatchJobProps } from './constructs/batch/batch-job';
export { ScheduledJob, JobConcurrencyPolicy } from './constructs/batch/scheduled-job';
export type { ScheduledJobProps } from './constructs/batch/scheduled-job';
export { NfsVolumeSet, NfsReclaimPolicy, VolumeBindingMode } from './constructs/nfs/nfs-volume-set';
export type { NfsSetVolumeOptions, NfsPreboundClaim, NfsVolumeOverride, NfsVolumeProps, NumberedNfsVolumes, NfsStorageClassOptions, NfsVolumeSetProps, NfsVolume } from './constructs/nfs/nfs-volume-set';
export type { NfsExportClient } from './constructs/nfs/exports';
export { VolumeBinding, BindingMismatch } from './constructs/nfs/volume-binding';
export type { BindableVolume, VolumeClaimRef, VolumeRejection, ClaimBinding, BindingResult, BindingCheckOptions } from './constructs/nfs/volume-binding';
export { CoreDnsAddon } from './constructs/coredns/core-dns-addon';
export type { CoreDnsAddonProps, DnsAutoscalerOptions } from './constructs/coredns/core-dns-addon';
export { Corefile } from './constructs/coredns/corefile';
export type { CorefileDirective, CorefileServerBlock } from './constructs/coredns/corefile';
export { DnsSmokeTest, SmokeTarget } from './constructs/coredns/smoke-test';
export type { DnsSmokeTestProps, SmokeTargetOptions } from './constructs/coredns/smoke-test';
export { KubeletApiAccess, KUBELET_API_ADMIN_ROLE } from './constructs/access/kubelet-api-access';
export type { KubeletApiAccessProps, KubeletApiServiceAccount } from './constructs/access/kubelet-api-access';
export { StandalonePod, PodRestartPolicy } from './constructs/standalone-pod/standalone-pod';
export type { StandalonePodProps } from './constructs/standalone-pod/standalone-pod';

// The shared pod-template layer: what every construct's pods are made of
export { PortProtocol, PodImagePullPolicy, PodMountPropagation, PodEnvValue } from './pod/container';
export { PodEnvFrom } from './pod/env-from';
export type { PodEnvFromOptions } from './pod/env-from';
export type { PodContainerPort, PodContainerResources, PodVolumeMount, PodContainerProps, ResourceFieldOptions } from './pod/container';
export { PodProbe } from './pod/probe';
export type { PodProbeTimings, PodHttpGetProbeOptions, PodTcpSocketProbeOptions, PodExecProbeOptions } from './pod/probe';
export { ContainerSecurity } from './pod/security';
export type { NonRootOptions, RunAsRootOptions } from './pod/security';
export { PodVolume, HostPathType } from './pod/volume';
export type {
  EmptyDirOptions, PodConfigMapVolumeOptions, PodSecretVolumeOptions, ClaimVolumeOptions, HostPathOptions, KeyProjectionOptions,
  ClaimObjectVolumeOptions,
} from './pod/volume';
export { HostAccess } from './pod/host-access';
export type { HostAccessOptions } from './pod/host-access';
export { PodTaintEffect, TolerationOperator, Spread, WhenUnsatisfiable } from './pod/scheduling';
export type { Toleration, TopologySpreadOptions, AntiAffinityOptions } from './pod/scheduling';
export { PodDnsPolicy } from './pod/template';
export type { PodTemplateProps, PodDnsConfig, PodDnsOption } from './pod/template';

// Shared workload props and handles
export type { WorkloadIdentityProps } from './workload/identity';
export { IntOrPercent } from './workload/int-or-percent';
export { WorkloadServiceType } from './workload/service';
export type { ServicePortProps } from './workload/service';
export type { DisruptionBudgetOptions } from './workload/disruption';
export { AccessMode, VolumeMode } from './workload/storage';
export type { ClaimRequest } from './workload/storage';
export type { PolicyRule } from './workload/rbac';
export type { IDnsNamed, IServiceDnsNamed } from './workload/dns';

// Every label and annotation key the library writes
export { MetadataKeys } from './kubernetes/metadata-keys';

// The one error type: every error the library raises
export { WorkloadsError } from './kubernetes/validation/errors';
export type { WorkloadsErrorDetails } from './kubernetes/validation/errors';

// Validation helpers with a public face
export { CronSchedule } from './kubernetes/validation/cron';
export type { CronRunOptions } from './kubernetes/validation/cron';
export { SynthWarnings } from './kubernetes/validation/warnings';

// Synthesis and policy checks
export { AppSynthesizer, PlanOutput } from './gitops/app-synthesizer';
export type { AppSynthOptions, SynthesizedFile, SynthesisResult } from './gitops/app-synthesizer';
export { OutputDirectory } from './gitops/output-directory';
export type { OutputFile, OutputDirectoryChange, OutputDirectoryOptions, OutputDirectoryReplaceOptions, IOutputFileMerge } from './gitops/output-directory';
export { ChangeGuard, ObjectAction, FindingType } from './gitops/change-guard';
export type {
  ManifestFile, ObjectRef, ChangeAcknowledgement, AcknowledgeReplacementOptions, PlanChangesOptions, ObjectChange, ChangeFinding,
  FilePlan, ChangePlan, FormatPlanOptions,
} from './gitops/change-guard';
export { PolicyPlugin, PolicyChecker, PolicySeverity } from './gitops/policy';
export type {
  PolicyPluginProps, PolicyOptions, PolicyViolation, PolicyRuleInfo, PolicyReportViolation, PolicyViolatingResource,
  IPolicyValidationContext, IPolicyValidationReport, IPolicyValidationLogger,
} from './gitops/policy';
