import type { FunctionComponent } from 'preact';
import type { Pipeline } from '../types';
import { ErrorsTab } from './errorsTab';
import { SimulateTab } from './simulateTab';
import { VersionsTab } from './versionsTab';

/**
 * Extra sections of the pipeline page, each shown only when the API this mgmt serves has its
 * endpoint (read from the public /openapi.json). A new section is a new file under pages/ and one
 * entry here.
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
  { id: 'simulate', label: 'Simulate', requires: '/api/v1/pipelines/{id}/simulate', component: SimulateTab },
];

export function availableTabs(paths: Set<string>): PipelineTab[] {
  return PIPELINE_TABS.filter((t) => paths.has(t.requires));
}
