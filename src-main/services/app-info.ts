// SPDX-License-Identifier: Apache-2.0
// Name and version come from package.json at build time, so the CLI, the UI and installers agree.
import { productName, version } from '../../package.json'

export const APP_NAME: string = productName
export const APP_VERSION: string = version
