import { useEffect, useState } from 'react'
import { NavLink, Route, Routes } from 'react-router-dom'
import { errorMessage, seg } from '../../lib/api'
import { usePoll } from '../../lib/poll'
import { useClient } from '../../lib/session'
import type { Setting } from '../../lib/types'
import { hasErrors, validateAdvancedSettings, type AdvancedSettingsForm, type Errors } from '../../lib/validate'
import { ErrorBanner, Field, Notice, Page } from '../../components/ui'

export function SettingsTab({ cluster }: { cluster: string }) {
  const client = useClient()
  const path = `/clusters/${seg(cluster)}/settings`
  // Loaded once: polling would overwrite what the user is typing.
  const setting = usePoll((signal) => client.get<Setting>(path, signal), [path], 0)
  return (
    <Page name="cluster-settings" ready={setting.loaded}>
      <nav className="subtabs" aria-label="Settings">
        {/* Absolute paths: relative ones resolve against the splat of settings/* in react-router 7. */}
        <NavLink to={`/clusters/${seg(cluster)}/settings`} end>
          Document
        </NavLink>
        <NavLink to={`/clusters/${seg(cluster)}/settings/advanced`}>Advanced</NavLink>
      </nav>
      <ErrorBanner message={setting.error} />
      <Routes>
        <Route index element={<SettingDocument cluster={cluster} setting={setting.data} />} />
        <Route path="advanced" element={setting.data && <AdvancedSettings path={path} setting={setting.data} onSaved={setting.reload} />} />
      </Routes>
    </Page>
  )
}

function SettingDocument({ cluster, setting }: { cluster: string; setting?: Setting }) {
  return (
    <div data-testid="settings-document">
      <p className="muted">
        The ConfigMap <code>kpanda-system/{cluster}-setting</code> of the global cluster, key <code>clusterSetting</code>. Changes take effect
        without a restart.
      </p>
      <pre className="code-block">{setting ? JSON.stringify(setting, null, 2) : 'Loading…'}</pre>
    </div>
  )
}

function formOf(setting: Setting): AdvancedSettingsForm {
  return {
    baseImage: setting.addon_setting?.helm_operation_base_image ?? '',
    refreshInterval: String(setting.addon_setting?.helm_repo_refresh_interval ?? ''),
    historyLimit: String(setting.addon_setting?.helm_operation_history_limit ?? ''),
    deletionProtection: setting.clusterlcm_setting?.enable_deletion_protection ?? true,
  }
}

function AdvancedSettings({ path, setting, onSaved }: { path: string; setting: Setting; onSaved: () => void }) {
  const client = useClient()
  const [form, setForm] = useState(() => formOf(setting))
  const [errors, setErrors] = useState<Errors<keyof AdvancedSettingsForm>>({})
  const [error, setError] = useState<string | null>(null)
  const [saved, setSaved] = useState(false)
  const [busy, setBusy] = useState(false)
  useEffect(() => setForm(formOf(setting)), [setting])
  const set = (field: 'baseImage' | 'refreshInterval' | 'historyLimit') => (e: { target: { value: string } }) => {
    setSaved(false)
    setForm({ ...form, [field]: e.target.value })
  }

  async function save() {
    const found = validateAdvancedSettings(form)
    setErrors(found)
    setError(null)
    setSaved(false)
    if (hasErrors(found)) return
    setBusy(true)
    try {
      // PATCH changes these fields only, so an edit made elsewhere to other fields is kept.
      await client.patch(path, {
        set: {
          'addon_setting.helm_operation_base_image': form.baseImage.trim(),
          'addon_setting.helm_repo_refresh_interval': form.refreshInterval.trim(),
          'addon_setting.helm_operation_history_limit': form.historyLimit.trim(),
          'clusterlcm_setting.enable_deletion_protection': String(form.deletionProtection),
        },
      })
      setSaved(true)
      onSaved()
    } catch (err) {
      setError(errorMessage(err))
    } finally {
      setBusy(false)
    }
  }

  return (
    <form
      className="settings-form"
      aria-label="Advanced settings"
      onSubmit={(e) => {
        e.preventDefault()
        void save()
      }}
    >
      <ErrorBanner message={error} />
      {saved && <Notice>Saved. The controllers use the new settings from now on.</Notice>}
      <Field label="Helm operation base image" error={errors.baseImage} hint="addon_setting.helm_operation_base_image: the image of the Jobs that run Helm operations">
        <input name="baseImage" className="mono" value={form.baseImage} onChange={set('baseImage')} />
      </Field>
      <div className="form-row">
        <Field label="Repo refresh interval (seconds)" error={errors.refreshInterval} hint="addon_setting.helm_repo_refresh_interval, at least 10">
          <input name="refreshInterval" inputMode="numeric" value={form.refreshInterval} onChange={set('refreshInterval')} />
        </Field>
        <Field label="Operation history limit" error={errors.historyLimit} hint="addon_setting.helm_operation_history_limit, at least 1">
          <input name="historyLimit" inputMode="numeric" value={form.historyLimit} onChange={set('historyLimit')} />
        </Field>
      </div>
      <label className="checkbox">
        <input
          type="checkbox"
          name="deletionProtection"
          checked={form.deletionProtection}
          onChange={(e) => {
            setSaved(false)
            setForm({ ...form, deletionProtection: e.target.checked })
          }}
        />
        Deletion protection <span className="muted small">(clusterlcm_setting.enable_deletion_protection: refuse uninstalling the cluster)</span>
      </label>
      <div className="form-actions">
        <button className="button button-primary" type="submit" disabled={busy}>
          {busy ? 'Saving…' : 'Save'}
        </button>
      </div>
    </form>
  )
}
