// SPDX-License-Identifier: Apache-2.0
import 'element-plus/dist/index.css'
import 'element-plus/theme-chalk/dark/css-vars.css'
import './styles/app.css'
import { createPinia } from 'pinia'
import { createApp } from 'vue'
import App from './App.vue'
import { createBackend, installBackend } from './backend'
import { createAppRouter } from './router'

const app = createApp(App)
installBackend(app, createBackend())
app.use(createPinia())
app.use(createAppRouter())
app.mount('#app')
