import './base.css';
import './ocean-data.css';
