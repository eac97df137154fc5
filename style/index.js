import './base.css';
import './ocean-data.css';
import './gan.css';
