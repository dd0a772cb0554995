/**
 * A synthesized CloudFormation template, as far as the readers of its resources need it (the
 * shop's settings for the recovery-objective check, the sandbox's intake and game day).
 */

export interface TemplateResource {
  readonly Type: string;
  readonly Properties?: {
    readonly Name?: unknown;
    readonly Description?: unknown;
    readonly EventPattern?: unknown;
    readonly AlarmName?: unknown;
    readonly [property: string]: unknown;
  };
}

export interface SynthesizedTemplate {
  readonly Resources?: Record<string, TemplateResource>;
}

export const resourcesOf = (template: SynthesizedTemplate, type: string) =>
  Object.entries(template.Resources ?? {}).filter(([, resource]) => resource.Type === type);
