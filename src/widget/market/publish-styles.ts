import { css } from 'lit';

/** The look the publish, manage and compute views share (JupyterLab's theme variables). */
export const oceanFormStyles = css`
  :host {
    display: block;
    font-family: var(--jp-ui-font-family);
    font-size: var(--jp-ui-font-size1);
    color: var(--jp-ui-font-color1);
  }
  form,
  .stack {
    display: flex;
    flex-direction: column;
    gap: 6px;
  }
  label {
    display: flex;
    flex-direction: column;
    gap: 2px;
  }
  fieldset {
    border: var(--jp-border-width) solid var(--jp-border-color2);
    border-radius: var(--jp-border-radius);
    padding: 4px 6px;
    margin: 0;
    display: flex;
    flex-direction: column;
    gap: 4px;
  }
  fieldset label.inline,
  label.inline {
    flex-direction: row;
    align-items: center;
    gap: 4px;
  }
  legend {
    font-weight: 600;
  }
  input,
  select,
  textarea,
  button {
    font: inherit;
    color: var(--jp-ui-font-color1);
    background: var(--jp-layout-color1);
    border: var(--jp-border-width) solid var(--jp-border-color1);
    border-radius: var(--jp-border-radius);
    padding: 2px 6px;
  }
  textarea {
    resize: vertical;
    min-height: 3em;
  }
  button {
    cursor: pointer;
  }
  button.primary {
    background: var(--jp-brand-color1);
    border-color: var(--jp-brand-color1);
    color: white;
  }
  button:disabled {
    opacity: 0.6;
    cursor: default;
  }
  .hint {
    color: var(--jp-ui-font-color2);
    font-size: 0.9em;
    /* Addresses and DIDs break anywhere: the sidebar may be 250 px wide. */
    overflow-wrap: anywhere;
  }
  .error {
    color: var(--jp-error-color1);
    overflow-wrap: anywhere;
  }
  .ok {
    color: var(--jp-success-color1);
    overflow-wrap: anywhere;
  }
  ol.steps {
    margin: 4px 0;
    /* Room for two-digit numbers ("10.", "11."): 1.4em cut them off. */
    padding-left: 2.6em;
  }
  ul.costs {
    margin: 2px 0;
    padding-left: 1.4em;
  }
  ol.steps li[data-state='done'] {
    color: var(--jp-success-color1);
  }
  ol.steps li[data-state='active'] {
    font-weight: 600;
  }
  ol.steps li[data-state='pending'] {
    color: var(--jp-ui-font-color3);
  }
  ol.steps li[data-state='failed'] {
    color: var(--jp-error-color1);
  }
  code,
  pre {
    font-family: var(--jp-code-font-family);
    font-size: var(--jp-code-font-size);
    overflow-wrap: anywhere;
  }
  pre {
    white-space: pre-wrap;
    background: var(--jp-layout-color2);
    padding: 4px;
    max-height: 16em;
    overflow: auto;
    margin: 0;
  }
  .row {
    display: flex;
    gap: 4px;
    align-items: center;
    flex-wrap: wrap;
  }
`;
