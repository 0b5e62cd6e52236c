import type { FunctionComponent } from 'preact';
import type { Pipeline } from '../types';

/**
 * Extra sections of the pipeline page, each shown only when the API this mgmt serves has its
 * endpoint (read from the public /openapi.json). Errors (the failure-loop issue), Simulate (the
 * change-safety issue) and Versions are not in the API yet, so none is listed: a page for one is
 * a new file under pages/ and one entry here, e.g.
 *   { id: 'versions', label: 'Versions', requires: '/api/v1/pipelines/{id}/versions', component: Versions }
 */
export interface PipelineTab {
  id: string;
  label: string;
  /** The OpenAPI path the section needs. */
  requires: string;
  component: FunctionComponent<{ pipeline: Pipeline }>;
}

export const PIPELINE_TABS: PipelineTab[] = [];

export function availableTabs(paths: Set<string>): PipelineTab[] {
  return PIPELINE_TABS.filter((t) => paths.has(t.requires));
}
