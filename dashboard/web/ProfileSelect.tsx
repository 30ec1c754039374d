// The profile (plant) picker of the runs filter and of the review form: a labelled select of the
// profile names, with an "every profile" choice (the empty value) where the page can show them all.
import type { SelectHTMLAttributes } from 'react';

type Props = {
  label: string;
  profiles: string[];
  /** A profile name, or '' for every profile (with `allText`). */
  value: string;
  onChange(value: string): void;
  /** The words for the empty value; without it every choice is one profile. */
  allText?: string;
} & Omit<SelectHTMLAttributes<HTMLSelectElement>, 'value' | 'onChange'>;

export function ProfileSelect({ label, profiles, value, onChange, allText, ...select }: Props) {
  return (
    <label>
      {label}{' '}
      <select {...select} value={value} onChange={(e) => onChange(e.target.value)}>
        {allText !== undefined && <option value="">{allText}</option>}
        {profiles.map((p) => (
          <option key={p} value={p}>
            {p}
          </option>
        ))}
      </select>
    </label>
  );
}
