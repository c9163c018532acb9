-- One database per subgraph (docker-compose runs this once, on an empty data volume).
CREATE DATABASE storefront_users;
CREATE DATABASE storefront_catalog;
CREATE DATABASE storefront_inventory;
CREATE DATABASE storefront_cart;
CREATE DATABASE storefront_orders;
CREATE DATABASE storefront_payments;
