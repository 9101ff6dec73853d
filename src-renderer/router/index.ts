// SPDX-License-Identifier: Apache-2.0
// History mode: the URL fragment is reserved for the headless token.
import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router'
import OverviewPage from '../pages/OverviewPage.vue'

export interface NavEntry {
  readonly path: string
  readonly label: string
  readonly icon: string
  readonly key: string
}

export const routes: RouteRecordRaw[] = [
  { path: '/', name: 'overview', component: OverviewPage, meta: { title: 'Overview' } },
  { path: '/devices', name: 'devices', component: () => import('../pages/DevicesPage.vue'), meta: { title: 'Devices' } },
  { path: '/devices/:endpoint', name: 'device', component: () => import('../pages/DevicePage.vue'), meta: { title: 'Device' } },
  { path: '/bootstrap', name: 'bootstrap', component: () => import('../pages/BootstrapPage.vue'), meta: { title: 'Bootstrap' } },
  { path: '/simulator', name: 'simulator', component: () => import('../pages/SimulatorPage.vue'), meta: { title: 'Simulator' } },
  { path: '/serial', name: 'serial', component: () => import('../pages/SerialPage.vue'), meta: { title: 'Serial' } },
  { path: '/models/:id(\\d+)?', name: 'model', component: () => import('../pages/ModelsPage.vue'), meta: { title: 'Object models' } },
  { path: '/security', name: 'security', component: () => import('../pages/SecurityPage.vue'), meta: { title: 'Security' } },
  { path: '/cards', name: 'cards', component: () => import('../pages/CardsPage.vue'), meta: { title: 'Smart cards' } },
  { path: '/packets', name: 'packets', component: () => import('../pages/PacketsPage.vue'), meta: { title: 'Packets' } },
  { path: '/settings', name: 'settings', component: () => import('../pages/SettingsPage.vue'), meta: { title: 'Settings' } },
  { path: '/:rest(.*)*', redirect: '/' }
]

export function createAppRouter() {
  return createRouter({ history: createWebHistory(), routes })
}
