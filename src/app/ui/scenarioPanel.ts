/**
 * The scenario panel: a preset, a loaded file or a shared link gives the draft; the form edits
 * its main parameters; every change is validated with the CLI's validator and each message is
 * shown next to its field (the rest, with their JSON paths, above the form). The panel hands the
 * validated scenario (or null while it has errors) to whoever listens.
 */
import { validateScenario, formatIssue, type Scenario, type ScenarioIssue } from '../../model';
import { describeScenario } from '../../model/describe';
import { applyField, fieldText, formFields, type FieldGroup, type FieldSpec } from '../state/formFields';
import { placeIssues } from '../state/fieldErrors';
import type { Draft } from '../../model/jsonPath';
import { PRESETS } from '../presets';
import { el, errorMessage } from './dom';

export interface ScenarioPanelElements {
  preset: HTMLSelectElement;
  file: HTMLInputElement;
  source: HTMLElement;
  description: HTMLElement;
  general: HTMLElement;
  form: HTMLElement;
}

export interface ScenarioCheck {
  draft: Draft;
  scenario: Scenario | null;
  errors: ScenarioIssue[];
  warnings: ScenarioIssue[];
}

export class ScenarioPanel {
  private draft: Draft = {};
  private groups: FieldGroup[] = [];
  private check: ScenarioCheck = { draft: {}, scenario: null, errors: [], warnings: [] };

  constructor(
    private readonly ui: ScenarioPanelElements,
    private readonly onChange: (check: ScenarioCheck) => void,
  ) {
    for (const p of PRESETS) ui.preset.append(el('option', { value: p.name, text: p.name }));
    ui.preset.append(el('option', { value: '', text: '(loaded or shared scenario)', disabled: true }));
    ui.preset.addEventListener('change', () => {
      const p = PRESETS.find((x) => x.name === ui.preset.value);
      if (p) this.load(structuredClone(p.json), `preset ${p.name}`);
    });
    ui.file.addEventListener('change', () => void this.loadFile());
  }

  get current(): ScenarioCheck {
    return this.check;
  }

  /** Replaces the draft (from a preset, a file or a link) and rebuilds the form. */
  load(json: unknown, source: string): void {
    if (json === null || typeof json !== 'object' || Array.isArray(json)) {
      this.showGeneral([{ path: '', message: `${source}: a scenario is a JSON object with populations, projections, run and record` }], []);
      return;
    }
    const draft = json as Draft;
    const preset = PRESETS.find((p) => p.name === draft.name && JSON.stringify(p.json) === JSON.stringify(draft));
    this.ui.preset.value = preset ? preset.name : '';
    this.ui.source.textContent = preset ? `Preset ${preset.name}` : source;
    this.setDraft(draft, true);
  }

  private async loadFile(): Promise<void> {
    const file = this.ui.file.files?.[0];
    if (!file) return;
    let json: unknown;
    try {
      json = JSON.parse(await file.text());
    } catch (error) {
      this.showGeneral([{ path: '', message: `${file.name} is not valid JSON: ${errorMessage(error)}` }], []);
      return;
    }
    this.load(json, `file ${file.name}`);
    this.ui.file.value = '';
  }

  private setDraft(draft: Draft, rebuild: boolean): void {
    this.draft = draft;
    const groups = formFields(draft);
    const layout = (g: FieldGroup[]) => g.map((x) => x.fields.map((f) => f.id).join()).join('|');
    if (rebuild || layout(groups) !== layout(this.groups)) {
      this.groups = groups;
      this.renderForm();
    }
    const checked = validateScenario(draft);
    this.check = checked.ok
      ? { draft, scenario: checked.scenario, errors: [], warnings: checked.warnings }
      : { draft, scenario: null, errors: checked.errors, warnings: checked.warnings };
    this.showIssues();
    this.ui.description.textContent = checked.ok ? describeScenario(checked.scenario) : String(draft.description ?? '');
    this.onChange(this.check);
  }

  private renderForm(): void {
    const fieldsets = this.groups.map((g) => {
      const fs = el('fieldset', {}, el('legend', { text: g.title }));
      for (const f of g.fields) fs.append(this.renderField(f));
      return fs;
    });
    this.ui.form.replaceChildren(...fieldsets);
  }

  private renderField(f: FieldSpec): HTMLElement {
    const inputId = `field-${f.id}`;
    const errorId = `error-${f.id}`;
    const value = fieldText(f, this.draft);
    let control: HTMLInputElement | HTMLSelectElement;
    if (f.kind === 'select') {
      control = el('select', { id: inputId, name: f.id, 'aria-describedby': errorId });
      for (const o of f.options ?? []) control.append(el('option', { value: o, text: o }));
      if (!(f.options ?? []).includes(value)) control.append(el('option', { value, text: value }));
      control.value = value;
      control.addEventListener('change', () => this.edit(f, control.value));
    } else {
      // Text, not type=number: what the user typed ("NaN", "1e-3", "abc") must reach the validator unchanged.
      control = el('input', {
        id: inputId,
        name: f.id,
        type: 'text',
        inputmode: f.kind === 'integer' ? 'numeric' : 'decimal',
        spellcheck: 'false',
        autocomplete: 'off',
        'aria-describedby': errorId,
      });
      control.value = value;
      control.addEventListener('input', () => this.edit(f, control.value));
    }
    const label = el('label', { for: inputId }, f.label, f.unit ? el('span', { class: 'unit', text: ` (${f.unit})` }) : '');
    const hint = f.hint ? el('span', { class: 'hint', text: f.hint }) : '';
    return el('div', { class: 'field', 'data-field': f.id }, label, control, hint, el('p', { class: 'field-error', id: errorId, role: 'alert', hidden: true }));
  }

  private edit(f: FieldSpec, text: string): void {
    this.ui.preset.value = '';
    this.ui.source.textContent = 'Edited scenario';
    this.setDraft(applyField(this.draft, f, text), f.kind === 'select');
  }

  private showIssues(): void {
    const placed = placeIssues(this.check.errors, this.groups);
    for (const g of this.groups) {
      for (const f of g.fields) {
        const box = document.getElementById(`error-${f.id}`);
        const input = document.getElementById(`field-${f.id}`);
        const messages = placed.byField.get(f.id) ?? [];
        if (box) {
          box.textContent = messages.join('; ');
          box.hidden = messages.length === 0;
        }
        input?.setAttribute('aria-invalid', String(messages.length > 0));
      }
    }
    this.showGeneral(placed.general, this.check.warnings);
  }

  private showGeneral(errors: ScenarioIssue[], warnings: ScenarioIssue[]): void {
    const items = [
      ...errors.map((e) => el('li', { class: 'bad', text: formatIssue(e) })),
      ...warnings.map((w) => el('li', { class: 'warn', text: `warning: ${formatIssue(w)}` })),
    ];
    this.ui.general.replaceChildren(...items);
    this.ui.general.hidden = items.length === 0;
  }
}
