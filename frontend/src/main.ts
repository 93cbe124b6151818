import { mount } from 'svelte';
import './app.css';
import App from './App.svelte';
import { getLocale } from './i18n/index.svelte';

document.documentElement.lang = getLocale();
const target = document.getElementById('app');
if (!target) throw new Error('index.html has no #app element');
export default mount(App, { target });

// Keeps the app itself for reloads on bad Wi-Fi (public/sw.js); never the checklist's data.
if (import.meta.env.PROD && 'serviceWorker' in navigator) {
  navigator.serviceWorker.register('/sw.js').catch((error: unknown) => console.warn('service worker not registered', error));
}
