// Validates CycloneDX JSON files against the official CycloneDX JSON schema
// (the strict one: no unknown properties) of the specVersion each file
// declares, with the CycloneDX JavaScript library pinned in package-lock.json.
// Usage: node cdx_validate.mjs FILE...  One line per file ("FILE: valid ..."
// or "FILE: not valid ..."); exit 0 when every file is valid, 1 when one is
// not, 3 when the library cannot run. A file named "!FILE" must be INVALID
// (a control: a validator that accepts it checks nothing).
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const CDX = require('@cyclonedx/cyclonedx-library')

const validators = {} // one per version: compiling the schema is the slow part
let bad = 0
for (const arg of process.argv.slice(2)) {
  const control = arg.startsWith('!')
  const file = control ? arg.slice(1) : arg
  const text = readFileSync(file, 'utf8')
  const version = JSON.parse(text).specVersion
  let errors
  if (!['1.5', '1.6'].includes(version)) {
    errors = `specVersion ${JSON.stringify(version)} is not 1.5 or 1.6`
  } else {
    try {
      validators[version] ??= new CDX.Validation.JsonStrictValidator(version)
      errors = await validators[version].validate(text)
    } catch (e) {
      console.log(`${file}: the validator cannot run: ${e.message}`)
      process.exit(3)
    }
  }
  if (errors === null) {
    console.log(`${file}: valid CycloneDX ${version}`)
  } else {
    console.log(`${file}: not valid CycloneDX: ${JSON.stringify(errors).slice(0, 400)}`)
  }
  if ((errors === null) === control) bad++
}
process.exit(bad === 0 ? 0 : 1)
