import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app';
import { connect } from './bridge';
import { PublicDashboard } from './public-dashboard';
import { connectStores, createAppStores, StoresContext } from './stores/app-stores';
import './styles.css';

const client = connect();
const stores = createAppStores(client, { storage: window.localStorage, languages: navigator.languages });
// Served at /public/dashboard, the app is the read-only dashboard: no sign-in, no event stream.
const publicDashboard = window.location.pathname === '/public/dashboard';
if (!publicDashboard) connectStores(client, stores);

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <StoresContext value={stores}>{publicDashboard ? <PublicDashboard /> : <App />}</StoresContext>
  </StrictMode>,
);
