import type { FunctionComponent } from 'preact';
import type { Pipeline } from '../types';
import { ErrorsTab } from './errorsTab';
import { VersionsTab } from './versionsTab';

/**
 * Extra sections of the pipeline page, each shown only when the API this mgmt serves has its
 * endpoint (read from the public /openapi.json). Simulate (the change-safety issue) is not in the
 * API yet: a page for it is a new file under pages/ and one entry here.
 */
export interface PipelineTab {
  id: string;
  label: string;
  /** The OpenAPI path the section needs. */
  requires: string;
  component: FunctionComponent<{ pipeline: Pipeline }>;
}

export const PIPELINE_TABS: PipelineTab[] = [
  { id: 'errors', label: 'Failed records', requires: '/api/v1/pipelines/{id}/errors', component: ErrorsTab },
  { id: 'versions', label: 'Versions', requires: '/api/v1/pipelines/{id}/versions', component: VersionsTab },
];

export function availableTabs(paths: Set<string>): PipelineTab[] {
  return PIPELINE_TABS.filter((t) => paths.has(t.requires));
}
